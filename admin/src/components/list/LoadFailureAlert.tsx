import type { ApiFailure } from '../../api/errors';
import { DismissibleAlert } from '../DismissibleAlert';

/** Why a page's list could not be loaded, or nothing when it could. */
export const LoadFailureAlert = ({ failure, title }: { failure: ApiFailure | undefined; title: string }) =>
  failure ? (
    <DismissibleAlert variant="danger" title={title}>
      {failure.message}
    </DismissibleAlert>
  ) : null;
