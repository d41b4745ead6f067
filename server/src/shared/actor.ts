/** Who did something through the admin API (the signed-in administrator); absent for the plugin's own jobs. */
export interface Actor {
  id?: number;
  email?: string;
}

/** The actor as the activity log names it. */
export const actorName = (actor?: Actor) => actor?.email ?? (actor?.id ? `admin #${actor.id}` : 'system');
