import { auth } from "@/server/auth/config";
import { handleTrpc } from "@/server/trpc/handler";

// The console's tRPC procedures; the signed-in user comes from the next-auth session.
const handler = (req: Request) => handleTrpc(req, async () => (await auth())?.user?.id ?? null);

export { handler as GET, handler as POST };
