import { generic, genericClientCredentials } from './generic';
import { google } from './google';
import { microsoft } from './microsoft';
import { microsoftAppOnly } from './microsoft-app-only';
import type { ProviderTemplate } from './types';

export const templates: ProviderTemplate[] = [
  google,
  microsoft,
  microsoftAppOnly,
  generic,
  genericClientCredentials,
];

export const findTemplate = (id: string): ProviderTemplate | undefined =>
  templates.find((t) => t.id === id);

export type { ProviderTemplate, GrantType, ScopeUse, TemplateField, Endpoints, DeviceFlow } from './types';
