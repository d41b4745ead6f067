// @strapi/design-system and @strapi/icons ship their own types; nothing to declare here.
export {};
