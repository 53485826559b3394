// What JSON.parse forgives but a money API must not: a number written with a fraction or an exponent
// (every number of this API is an integer, and a double rounds: 1.0000000000000001 is 1), and a key
// twice in one object (last-wins would make {"amount":1,"amount":100000} move 100000). One pass over
// the raw text, before it is parsed, for both transports. Not a validator: whatever else is wrong with
// the text is left to the parser.

export interface JsonTextProblem {
  /** The key the problem is at (the last key before a number, or the repeated key), or `body`. */
  field: string;
  message: string;
}

export function jsonTextProblem(text: string): JsonTextProblem | undefined {
  const objects: (Set<string> | null)[] = []; // one entry per open object (its keys) or array (null)
  let lastString: string | undefined;
  let key: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const raw = text.slice(i + 1, j);
      lastString = raw.includes('\\') ? decode(raw) : raw;
      i = j;
    } else if (c === 0x7b /* { */) {
      objects.push(new Set());
    } else if (c === 0x5b /* [ */) {
      objects.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      objects.pop();
    } else if (c === 0x3a /* : */) {
      const keys = objects[objects.length - 1];
      if (keys && lastString !== undefined) {
        if (keys.has(lastString)) return { field: lastString, message: 'appears twice: a body must say each field once' };
        keys.add(lastString);
      }
      key = lastString;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      while (j < text.length && /[0-9eE.+-]/.test(text[j]!)) j++;
      if (/[.eE]/.test(text.slice(i, j))) {
        return { field: key ?? 'body', message: 'must be an integer, written without a fraction or an exponent' };
      }
      i = j - 1;
    }
  }
  return undefined;
}

function decode(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw; // malformed: the parser will say so
  }
}

/** A JSON integer given as a string (proto3 JSON allows it for int64): canonical decimal digits only. */
export const CANONICAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;
