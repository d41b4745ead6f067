export function collect(): { messages: Map<string, string>; conflicts: string[] };
export function check(): { problems: string[]; count: number };
