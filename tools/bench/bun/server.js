// The Bun peer of tools/bench/fanout.sh: Bun's built-in pub/sub (uWebSockets
// inside). Displays connect to ws://127.0.0.1:PORT/ and are subscribed to one
// topic; a publisher connects to /publish and every message it sends is
// published to the topic once, as-is (binary, or text when the benchmark's
// frames are JSON). Each display gets "ready" on subscribing, so the load
// driver knows when all are connected.
//   bun server.js PORT
const port = Number(process.argv[2] || 19000);
const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(req, srv) {
    const publisher = new URL(req.url).pathname === "/publish";
    if (srv.upgrade(req, { data: { publisher } })) return undefined;
    return new Response("websocket only", { status: 400 });
  },
  websocket: {
    // Same budget idea as the gateway's bounded display queue: past it uWS
    // drops the subscriber's messages rather than buffer without limit.
    backpressureLimit: 1 << 20,
    closeOnBackpressureLimit: false,
    perMessageDeflate: false,
    open(ws) {
      if (!ws.data.publisher) {
        ws.subscribe("updates");
        ws.send("ready");
      }
    },
    message(ws, msg) {
      if (ws.data.publisher) server.publish("updates", msg);
    },
  },
});
console.log(`bun ${Bun.version} listening on ${server.port}`);
