import { newFbtraceId } from '../ids';

/**
 * A Graph API error as the Send API answers it. Plain data, not an `Error`: the Send API is the
 * simulator's hot path and rejections are ordinary answers there, not exceptions.
 */
export interface GraphError {
  code: number;
  subcode?: number;
  message: string;
  httpStatus: number;
}

export interface GraphErrorBody {
  error: {
    message: string;
    type: 'OAuthException';
    code: number;
    error_subcode: number | null;
    fbtrace_id: string;
  };
}

/** Meta's wording for the codes of MESSENGER.md; forced faults without a message use these. */
const MESSAGES: Record<string, string> = {
  '1': 'An unknown error occurred',
  '2': 'An unexpected error has occurred. Please retry your request later.',
  '4': '(#4) Application request limit reached',
  '9/2018352': '(#9) This person is doing too many actions. Please try again later.',
  '10/2018278':
    '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
  '10/1893063': '(#10) This Page is temporarily restricted from sending messages.',
  '100/2018001': '(#100) No matching user found',
  '190': 'Invalid OAuth access token - Cannot parse access token',
  '551/1545041': "(#551) This person isn't available right now.",
  '613': '(#613) Calls to this api have exceeded the rate limit.',
  '1200': '(#1200) Temporary send message failure. Please try again later',
  '80006':
    '(#80006) There have been too many messages sent to this Messenger thread in a short period of time. Please try again later.',
};

/** Temporary failures are 5xx; everything else Meta answers with 400 (the exact status per code is undocumented). */
export function httpStatusFor(code: number): number {
  return code === 1 || code === 2 || code === 1200 ? 500 : 400;
}

export function graphError(
  code: number,
  subcode?: number,
  message?: string,
  httpStatus?: number,
): GraphError {
  return {
    code,
    subcode,
    message:
      message ??
      MESSAGES[subcode === undefined ? `${code}` : `${code}/${subcode}`] ??
      MESSAGES[`${code}`] ??
      `(#${code}) Simulated error`,
    httpStatus: httpStatus ?? httpStatusFor(code),
  };
}

export const GraphErrors = {
  invalidParameter: (problem: string): GraphError =>
    graphError(100, undefined, `(#100) ${problem}`),
  invalidToken: (message?: string): GraphError => graphError(190, undefined, message),
  noMatchingUser: (): GraphError => graphError(100, 2018001),
  outsideWindow: (): GraphError => graphError(10, 2018278),
  pageRestricted: (): GraphError => graphError(10, 1893063),
  unknownPath: (path: string): GraphError =>
    graphError(2500, undefined, `Unknown path components: ${path}`),
};

/** `code` or `code/subcode`, the key stats and metrics count rejections by. */
export function errorKey(error: Pick<GraphError, 'code' | 'subcode'>): string {
  return error.subcode === undefined ? `${error.code}` : `${error.code}/${error.subcode}`;
}

export function graphErrorBody(error: GraphError): GraphErrorBody {
  return {
    error: {
      message: error.message,
      type: 'OAuthException',
      code: error.code,
      error_subcode: error.subcode ?? null,
      fbtrace_id: newFbtraceId(),
    },
  };
}
