import { Flex } from '@strapi/design-system';
import { Layouts, Page, SearchInput } from '@strapi/strapi/admin';
import type { ReactNode } from 'react';

interface ListPageHeaderProps {
  title: string;
  subtitle: string;
  searchLabel: string;
  /** The export/import toggle, when the user may use either. */
  transferButton: ReactNode;
  /** The "New …" button, when the user may create entries. */
  createButton: ReactNode;
}

/** A searchable list page's title, subtitle, export/import and New buttons, and search field. */
export const ListPageHeader = ({ title, subtitle, searchLabel, transferButton, createButton }: ListPageHeaderProps) => (
  <>
    <Page.Title>{title}</Page.Title>
    <Layouts.Header
      title={title}
      subtitle={subtitle}
      primaryAction={
        <Flex gap={2}>
          {transferButton}
          {createButton}
        </Flex>
      }
    />
    <Layouts.Action startActions={<SearchInput label={searchLabel} />} />
  </>
);
