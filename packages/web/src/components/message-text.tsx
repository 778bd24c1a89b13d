import { linkify } from '../lib/linkify.js';

interface Props {
  text: string;
  /** Whether the links are in the tab order (only in the message that has the focus). */
  tabbable?: boolean;
}

/**
 * A message body as text (never HTML), with http(s) and www. links made clickable. A link whose
 * real host differs from what is written shows that host beside it.
 */
export function MessageText({ text, tabbable = true }: Props) {
  return (
    <>
      {linkify(text).map((part, i) =>
        part.kind === 'link' ? (
          <a
            key={i}
            href={part.href}
            target="_blank"
            rel="noopener noreferrer"
            tabIndex={tabbable ? undefined : -1}
          >
            {part.text}
            {part.realHost !== undefined && (
              <span className="link-host"> (goes to {part.realHost})</span>
            )}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}
