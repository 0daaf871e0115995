// Every string that reaches the report's HTML goes through here: syscall names, paths, container
// ids and image names come from files others wrote (a registry entry, an annotation, a profile), and
// the report is opened in a browser. Escaping all five characters makes a value safe both as text
// and inside a quoted attribute, in HTML and in inline SVG alike.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
