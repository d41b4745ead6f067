import type { Core, UID } from '@strapi/strapi';

/** `make` for each Strapi instance and content type once, on first use: what it works out from the metadata is kept. */
export function perContentType<T>(make: (strapi: Core.Strapi, uid: UID.Schema) => T): (strapi: Core.Strapi, uid: UID.Schema) => T {
  const made = new WeakMap<Core.Strapi, Map<UID.Schema, T>>();
  return (strapi, uid) => {
    let byUid = made.get(strapi);
    if (!byUid) made.set(strapi, (byUid = new Map()));
    let value = byUid.get(uid);
    if (value === undefined) byUid.set(uid, (value = make(strapi, uid)));
    return value;
  };
}
