import { CompileError } from '../../../state/index.js';
import { splitUnescaped } from './escape.js';

/** One `name[:modifier]=v1,v2` of a query: values OR together, repeated names AND. */
export interface QueryParam {
  /** As written before `=`, for messages. */
  raw: string;
  code: string;
  modifier?: string;
  values: string[];
}

export interface ParsedCriteria {
  resourceType: string;
  params: QueryParam[];
}

/** Parameters that shape a search result but never decide whether a resource matches. */
const RESULT_PARAMETERS = new Set([
  '_format',
  '_pretty',
  '_summary',
  '_elements',
  '_count',
  '_sort',
  '_total',
]);

/** Parameters a subscription cannot evaluate on one resource: refused by name. */
const REFUSED: Record<string, string> = {
  _has: 'reverse chaining (_has) needs other resources',
  _include: '_include shapes a search result and cannot select a notification',
  _revinclude: '_revinclude shapes a search result and cannot select a notification',
  _filter: '_filter is not supported: use search parameters',
  _query: 'named queries (_query) are not supported',
  _list: '_list needs List resources',
  _text: '_text (narrative search) is not supported',
  _content: '_content (full-text search) is not supported',
  _type: '_type belongs to system-wide searches; put the type before ?',
  _contained: '_contained is not supported',
  _containedType: '_containedType is not supported',
};

function decode(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new CompileError(`${where}: malformed percent-encoding in '${text}'`, {
      cause,
      context: { criteria: where },
    });
  }
}

/**
 * Reads `Type?name=value&...` (or `name=value&...` with a known type, as SubscriptionTopic
 * query criteria are written) into parameters. Refuses what cannot be matched on one resource.
 */
export function parseCriteria(
  criteria: string,
  options: { resourceType?: string; untyped?: boolean } = {},
): ParsedCriteria {
  const text = criteria.trim();
  if (options.untyped && !text.includes('?')) {
    return { resourceType: '', params: parseQuery(text, criteria) };
  }
  const q = text.indexOf('?');
  let resourceType: string;
  let query: string;
  if (q >= 0) {
    resourceType = text.slice(0, q);
    query = text.slice(q + 1);
  } else if (/^[A-Z][A-Za-z]*$/.test(text)) {
    resourceType = text;
    query = '';
  } else if (options.resourceType) {
    resourceType = options.resourceType;
    query = text;
  } else {
    throw new CompileError(`criteria '${criteria}' is not [type]?[parameters]`, { context: { criteria } });
  }
  if (resourceType === '' && options.resourceType) resourceType = options.resourceType;
  if (!/^[A-Z][A-Za-z]*$/.test(resourceType)) {
    throw new CompileError(`criteria '${criteria}': '${resourceType}' is not a resource type`, {
      context: { criteria },
    });
  }
  if (options.resourceType && resourceType !== options.resourceType) {
    throw new CompileError(
      `criteria '${criteria}' is about ${resourceType}, expected ${options.resourceType}`,
      {
        context: { criteria },
      },
    );
  }
  return { resourceType, params: parseQuery(query, criteria) };
}

function parseQuery(query: string, criteria: string): QueryParam[] {
  const params: QueryParam[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new CompileError(`criteria '${criteria}': '${pair}' is not name=value`, {
        context: { criteria },
      });
    const raw = decode(pair.slice(0, eq), criteria);
    const value = decode(pair.slice(eq + 1), criteria);
    const [code, modifier, ...extra] = raw.split(':');
    if (code!.startsWith('_has') || REFUSED[code!]) {
      throw new CompileError(
        `criteria '${criteria}': ${REFUSED[code!.startsWith('_has') ? '_has' : code!]} ('${raw}')`,
        {
          context: { criteria, parameter: raw },
        },
      );
    }
    if (raw.includes('.')) {
      throw new CompileError(
        `criteria '${criteria}': chained parameter '${raw}' needs other resources and is not supported`,
        {
          context: { criteria, parameter: raw },
        },
      );
    }
    if (extra.length > 0 || code === '' || modifier === '') {
      throw new CompileError(`criteria '${criteria}': '${raw}' is not name[:modifier]`, {
        context: { criteria },
      });
    }
    if (RESULT_PARAMETERS.has(code!)) continue;
    if (value === '') {
      throw new CompileError(`criteria '${criteria}': '${raw}' has an empty value`, {
        context: { criteria, parameter: raw },
      });
    }
    params.push({
      raw,
      code: code!,
      ...(modifier !== undefined ? { modifier } : {}),
      values: splitUnescaped(value, ','),
    });
  }
  return params;
}
