import { NextRequest } from "next/server";
import { handlers } from "@/server/auth/config";
import { MAX_BODY_BYTES } from "@/server/http/body";
import { BodyTooLargeError, withLimitedBody } from "@/server/http/limitedBody";
import { requestIdFrom } from "@/server/http/requestId";

/**
 * next-auth's sign-in, sign-out, session and CSRF endpoints for the console.
 * next-auth reads a POST's form whole by itself, so the body is read here
 * first with the same 64 KiB byte budget as the API (413 past it).
 */
export const { GET } = handlers;

export async function POST(req: NextRequest): Promise<Response> {
  let bounded: Request;
  try {
    bounded = await withLimitedBody(req, MAX_BODY_BYTES);
  } catch (error) {
    const requestId = requestIdFrom(req.headers);
    const tooLarge = error instanceof BodyTooLargeError;
    return Response.json(
      {
        error: tooLarge
          ? { code: "PAYLOAD_TOO_LARGE", message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`, requestId }
          : { code: "VALIDATION", message: "The request body could not be read.", requestId },
      },
      { status: tooLarge ? 413 : 400, headers: { "X-Request-Id": requestId } },
    );
  }
  // next-auth reads nextUrl, which only a NextRequest has.
  return handlers.POST(new NextRequest(bounded));
}
