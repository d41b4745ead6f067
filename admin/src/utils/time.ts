import { useIntl } from 'react-intl';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** The largest unit that fits, so that "in 58 minutes" rather than "in 3480 seconds". */
export const relativeParts = (date: string | Date, now = Date.now()): { value: number; unit: Intl.RelativeTimeFormatUnit } => {
  const seconds = Math.round((new Date(date).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return { value: Math.round(seconds / size), unit };
  }
  return { value: seconds, unit: 'second' };
};

/** "in 58 minutes", "3 hours ago", and the full date for a title attribute. */
export const useTimeFormat = () => {
  const { formatRelativeTime, formatDate } = useIntl();
  return {
    relative: (date: string | Date) => {
      const { value, unit } = relativeParts(date);
      return formatRelativeTime(value, unit, { numeric: 'auto' });
    },
    full: (date: string | Date) => formatDate(date, { dateStyle: 'medium', timeStyle: 'medium' }),
  };
};
