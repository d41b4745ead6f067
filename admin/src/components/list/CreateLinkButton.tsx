import { LinkButton } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { Link as RouterLink } from 'react-router-dom';

/** The small "New …" button of a list page, leading to the page that creates an entry. */
export const CreateLinkButton = ({ to, label }: { to: string; label: string }) => (
  <LinkButton tag={RouterLink} to={to} startIcon={<Plus />} size="S">
    {label}
  </LinkButton>
);
