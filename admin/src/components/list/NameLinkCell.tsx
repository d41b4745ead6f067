import { Link, Td } from '@strapi/design-system';
import { Link as RouterLink } from 'react-router-dom';

/** A list row's first cell: the entry's name, linking to its page. */
export const NameLinkCell = ({ to, name }: { to: string; name: string }) => (
  <Td>
    <Link tag={RouterLink} to={to}>
      {name}
    </Link>
  </Td>
);
