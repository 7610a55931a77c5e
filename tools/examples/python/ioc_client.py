#!/usr/bin/env python3
"""An agency's publisher for ioc-gateway in Python 3, standard library only.

Sends one batch per run, over HTTP (JSON) or over WebSocket (binary protobuf),
and keeps what a publisher must keep in a small state file:
  sourceEpoch   chosen at random when the state file is created (a publisher
                that loses its state gets a new one, so its batches are never
                mistaken for old ones)
  nextSequence  1, 2, 3, ... within the epoch
  pending       the batch sent but not yet answered: resent first on the next
                run, with the same sequence (answered DUPLICATE if it was applied)

  ioc_client.py --url http://127.0.0.1:8080 --token TOKEN --source erp-1 \\
      --state erp-1.state.json [--transport http|ws] \\
      --value einvoice_issued 44 12 --ratio online_dossier_rate 18880 1 1

Exit codes: 0 every sample applied (or the batch was already applied: DUPLICATE),
1 samples refused (listed), 2 batch refused whole (SEQUENCE_TOO_OLD,
SEQUENCE_REUSED, MALFORMED, ...: fix the input or the state, do not retry),
3 token refused, 4 gave up retrying (gateway unreachable, STORAGE_UNAVAILABLE,
RATE_LIMITED, IN_FLIGHT): the batch stays pending and is resent by the next run.
The contract: GET /v1/openapi.json on the gateway (docs/openapi.json).
"""
import argparse, base64, datetime, hashlib, json, os, random, secrets, socket, struct, sys, time
import urllib.error, urllib.parse, urllib.request

# ioc.v1.Reason, by number (proto/ioc/v1/ioc.proto).
REASONS = ["REASON_UNSPECIFIED", "UNKNOWN_INDICATOR", "NOT_ALLOWED", "UNKNOWN_AREA", "VALUE_OUT_OF_RANGE",
           "TOO_OLD", "TOO_FAR_AHEAD", "DUPLICATE", "STORAGE_UNAVAILABLE", "BATCH_TOO_LARGE", "RATE_LIMITED",
           "MALFORMED", "MISSING_MEASURE", "BAD_SEQUENCE", "IN_FLIGHT", "UNAUTHENTICATED", "SEQUENCE_TOO_OLD",
           "SEQUENCE_REUSED", "BAD_SOURCE"]
RETRY_LATER = {"STORAGE_UNAVAILABLE", "RATE_LIMITED", "IN_FLIGHT"}
EXIT_OK, EXIT_REFUSED, EXIT_BATCH_REFUSED, EXIT_TOKEN, EXIT_GAVE_UP = 0, 1, 2, 3, 4


class Stop(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class Refused(Stop):
    """The gateway answered the batch with a refusal: it is not sent again."""

    def __init__(self, message):
        super().__init__(EXIT_BATCH_REFUSED, message)


class RetryLater(Exception):
    pass


# ------------------------------------------------------------------ state file

def save_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)  # atomic: a crash leaves the old state or the new one


def load_state(path, source, first_sequence):
    if os.path.exists(path):
        with open(path) as f:
            state = json.load(f)
        if state["sourceId"] != source:
            raise Stop(EXIT_BATCH_REFUSED, f"{path} belongs to source {state['sourceId']}, not {source}")
        return state, False
    state = {"sourceId": source, "sourceEpoch": str(secrets.randbits(63) or 1),
             "nextSequence": first_sequence, "pending": None}
    save_state(path, state)
    return state, True


# ------------------------------------------------------------------ protobuf, by hand

def varint(n):
    n &= (1 << 64) - 1  # int64 as two's complement
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def tag(number, wire_type):
    return varint(number << 3 | wire_type)


def length_delimited(number, payload):
    return tag(number, 2) + varint(len(payload)) + payload


def double(number, x):
    return tag(number, 1) + struct.pack("<d", float(x))


def encode_batch(batch):
    """ioc.v1.IngestBatch: source_id=1, sequence=2, samples=3, source_epoch=4, publisher_cursor=5."""
    out = length_delimited(1, batch["sourceId"].encode()) + tag(2, 0) + varint(int(batch["sequence"]))
    for s in batch["samples"]:
        # ioc.v1.Sample: indicator=1, area=2, event_time_ms=3, value=4 | ratio=5 {numerator=1, denominator=2}
        m = length_delimited(1, s["indicator"].encode()) + length_delimited(2, str(s["area"]).encode())
        m += tag(3, 0) + varint(int(s["eventTimeMs"]))
        if "ratio" in s:
            m += length_delimited(5, double(1, s["ratio"]["numerator"]) + double(2, s["ratio"]["denominator"]))
        else:
            m += double(4, s["value"])
        out += length_delimited(3, m)
    out += tag(4, 0) + varint(int(batch["sourceEpoch"]))
    if batch.get("publisherCursor"):
        out += length_delimited(5, batch["publisherCursor"].encode())
    return out


def decode_fields(data):
    """(field number, value) pairs of a message: ints for varints, bytes otherwise."""
    i, out = 0, []
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, i = read_varint(data, i)
        elif wire_type == 2:
            n, i = read_varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire_type in (1, 5):
            n = 8 if wire_type == 1 else 4
            value, i = data[i:i + n], i + n
        else:
            raise ValueError("unsupported wire type %d" % wire_type)
        out.append((number, value))
    return out


def read_varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def decode_ack(data):
    """ioc.v1.Ack into the same dict as its JSON mapping."""
    ack = {"accepted": 0, "refused": [], "batchReason": "REASON_UNSPECIFIED", "batchMessage": "", "firstAnsweredMs": "0"}
    for number, v in decode_fields(data):
        if number == 2:
            ack["sequence"] = str(v)
        elif number == 3:
            ack["accepted"] = v
        elif number == 4:
            r = {"index": 0, "reason": "REASON_UNSPECIFIED", "message": ""}
            for n, x in decode_fields(v):
                if n == 1: r["index"] = x
                elif n == 2: r["reason"] = REASONS[x] if x < len(REASONS) else str(x)
                elif n == 3: r["message"] = x.decode()
            ack["refused"].append(r)
        elif number == 5:
            ack["batchReason"] = REASONS[v] if v < len(REASONS) else str(v)
        elif number == 6:
            ack["batchMessage"] = v.decode()
        elif number == 8:
            ack["firstAnsweredMs"] = str(v)
    return ack


# ------------------------------------------------------------------ transports

class HttpTransport:
    def __init__(self, url, token):
        self.url, self.token = url.rstrip("/"), token

    def call(self, method, path, body=None):
        """(status, parsed JSON body); raises RetryLater when the gateway cannot be reached."""
        headers = {"Authorization": "Bearer " + self.token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, {"code": "http_%d" % e.code, "message": text.decode(errors="replace")}
        except (urllib.error.URLError, OSError) as e:
            raise RetryLater("gateway unreachable: %s" % getattr(e, "reason", e))

    def send(self, batch):
        status, body = self.call("POST", "/v1/samples", json.dumps(batch).encode())
        if status == 401:
            raise Stop(EXIT_TOKEN, "token refused: " + body.get("message", ""))
        if "batchReason" not in body:  # an {code, message} error, not an ack
            raise Refused("HTTP %d %s: %s" % (status, body.get("code"), body.get("message")))
        return body

    def close(self):
        pass


class WebSocketTransport:
    """A minimal RFC 6455 client: one connection, binary frames, masked as a client must."""

    def __init__(self, url, token):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise Stop(EXIT_BATCH_REFUSED, "this example speaks WebSocket over plain http:// only")
        self.host, self.port, self.token, self.sock, self.pending_bytes = u.hostname, u.port or 80, token, None, b""

    def connect(self):
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=10)
        except OSError as e:
            raise RetryLater("gateway unreachable: %s" % e)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /v1/ingest HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n"
                           % (self.host, self.port, key, self.token)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RetryLater("connection closed during the WebSocket handshake")
            head += chunk
        head, self.pending_bytes = head.split(b"\r\n\r\n", 1)  # a frame may follow at once (a close)
        lines = head.decode(errors="replace").split("\r\n")
        expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if " 101 " not in lines[0] + " " or not any(l.lower() == "sec-websocket-accept: " + expected.lower() for l in lines):
            raise Stop(EXIT_BATCH_REFUSED, "WebSocket upgrade refused: " + lines[0])

    def recv_exact(self, n):
        data, self.pending_bytes = self.pending_bytes[:n], self.pending_bytes[n:]
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RetryLater("connection closed by the gateway")
            data += chunk
        return data

    def write_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def read_message(self):
        message = b""
        while True:
            b0, b1 = self.recv_exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self.recv_exact(8))[0]
            payload = self.recv_exact(n)
            opcode = b0 & 0x0F
            if opcode == 8:  # close: 1008 is the token (or a connection limit), 1009 a frame too large
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                reason = payload[2:].decode(errors="replace")
                self.sock.close()
                self.sock = None
                if code == 1008 and "token" in reason:
                    raise Stop(EXIT_TOKEN, "token refused: " + reason)
                if code == 1009:
                    raise Refused("closed %d: %s" % (code, reason))

                raise RetryLater("closed %d: %s" % (code, reason))
            if opcode == 9:  # ping
                self.write_frame(10, payload)
                continue
            if opcode == 10:
                continue
            message += payload
            if b0 & 0x80:
                return message

    def send(self, batch):
        if self.sock is None:
            self.connect()
        try:
            self.write_frame(2, encode_batch(batch))
            return decode_ack(self.read_message())
        except OSError as e:
            self.sock = None
            raise RetryLater("connection lost: %s" % e)

    def close(self):
        if self.sock is not None:
            try:
                self.write_frame(8, struct.pack(">H", 1000))
                self.sock.close()
            except OSError:
                pass


# ------------------------------------------------------------------ the publisher

def with_retries(what, fn, retries):
    """Calls fn until it does not raise RetryLater; backoff 0.2 s doubling to 5 s, with jitter."""
    delay = 0.2
    for attempt in range(retries + 1):
        try:
            return fn()
        except RetryLater as e:
            if attempt == retries:
                raise Stop(EXIT_GAVE_UP, "%s: gave up after %d attempts: %s" % (what, retries + 1, e))
            print("%s: %s; retrying in %.1f s" % (what, e, delay), flush=True)
            time.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, 5.0)


def resume(transport, state, fresh):
    """Reconciles the state file with what the gateway has applied (GET /v1/sources/{id})."""
    status, body = transport.call("GET", "/v1/sources/" + urllib.parse.quote(state["sourceId"], safe=""))
    if status == 401:
        raise Stop(EXIT_TOKEN, "token refused: " + body.get("message", ""))
    if status == 404:
        return
    if status != 200:
        raise RetryLater("GET /v1/sources answered %d %s" % (status, body.get("code")))
    if fresh and body.get("lastSequence", "0") != "0":
        print("new sourceEpoch %s; the source's last applied batch was epoch %s sequence %s, input cursor %r: "
              "resume your input there" % (state["sourceEpoch"], body["lastEpoch"], body["lastSequence"],
                                           body.get("lastCursor", "")), flush=True)
    for epoch in body.get("epochs", []):
        highest = int(epoch["highestSequence"])
        if epoch["sourceEpoch"] == state["sourceEpoch"] and state["pending"] is None and highest >= state["nextSequence"]:
            # The state file is behind the server (restored from a backup, or written by a crashed run).
            print("state is behind the gateway: sequence %d already applied in this epoch; continuing at %d"
                  % (highest, highest + 1), flush=True)
            state["nextSequence"] = highest + 1


def report(ack):
    """Prints an answer; returns its exit code, or raises RetryLater."""
    reason, seq = ack["batchReason"], ack.get("sequence", "?")
    if reason in RETRY_LATER:
        raise RetryLater("sequence %s: %s %s" % (seq, reason, ack.get("batchMessage", "")))
    if reason in ("SEQUENCE_TOO_OLD", "SEQUENCE_REUSED"):
        raise Refused("sequence %s: %s: %s. This state cannot go on: "
                   "remove the state file to start a new sourceEpoch" % (seq, reason, ack.get("batchMessage", "")))
    if reason not in ("REASON_UNSPECIFIED", "DUPLICATE"):
        raise Refused("sequence %s refused whole: %s: %s" % (seq, reason, ack.get("batchMessage", "")))
    if reason == "DUPLICATE":  # the first answer, repeated: nothing changed now
        when = datetime.datetime.fromtimestamp(int(ack.get("firstAnsweredMs", "0")) / 1000, datetime.timezone.utc)
        print("sequence %s: DUPLICATE, already answered at %s: accepted %d, refused %d (nothing changed now)"
              % (seq, when.isoformat(timespec="seconds"), ack["accepted"], len(ack["refused"])), flush=True)
    else:
        print("sequence %s: accepted %d, refused %d" % (seq, ack["accepted"], len(ack["refused"])), flush=True)
    for r in ack["refused"]:
        print("  sample %d refused: %s: %s" % (r["index"], r["reason"], r["message"]), flush=True)
    return EXIT_REFUSED if ack["refused"] else EXIT_OK


def answered(path, state):
    state["pending"] = None  # it will not be sent again
    save_state(path, state)


def event_time_ms(text):
    if text is None:
        return int(time.time() * 1000)
    if text.lstrip("-").isdigit():
        return int(text)
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise Stop(EXIT_BATCH_REFUSED, "--event-time needs an offset, e.g. 2026-11-25T10:00:00+07:00")
    return int(t.timestamp() * 1000)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--token", default=os.environ.get("IOC_TOKEN"), help="agency token (or $IOC_TOKEN)")
    p.add_argument("--source", required=True, help="source id: [A-Za-z0-9_.:-], 1..128")
    p.add_argument("--state", required=True, help="state file (created on first use)")
    p.add_argument("--transport", choices=["http", "ws"], default="http")
    p.add_argument("--value", nargs=3, action="append", default=[], metavar=("INDICATOR", "AREA", "VALUE"))
    p.add_argument("--ratio", nargs=4, action="append", default=[], metavar=("INDICATOR", "AREA", "NUM", "DEN"))
    p.add_argument("--event-time", help="epoch ms or ISO 8601 with offset (default: now)")
    p.add_argument("--cursor", default="", help="where your input stands after this batch (publisherCursor)")
    p.add_argument("--first-sequence", type=int, default=1, help="first sequence of a new state")
    p.add_argument("--retries", type=int, default=8)
    p.add_argument("--crash-after-send", action="store_true",
                   help="exit 9 once the answer came, before recording it (a crash; the next run resends the batch)")
    a = p.parse_args()
    if not a.token:
        p.error("--token or $IOC_TOKEN is required")
    at = event_time_ms(a.event_time)
    samples = [{"indicator": i, "area": area, "eventTimeMs": str(at), "value": float(v)} for i, area, v in a.value]
    samples += [{"indicator": i, "area": area, "eventTimeMs": str(at), "ratio": {"numerator": float(n), "denominator": float(d)}}
                for i, area, n, d in a.ratio]

    state, fresh = load_state(a.state, a.source, a.first_sequence)
    http = HttpTransport(a.url, a.token)
    transport = http if a.transport == "http" else WebSocketTransport(a.url, a.token)
    try:
        with_retries("resume", lambda: resume(http, state, fresh), a.retries)
        save_state(a.state, state)
        code = EXIT_OK
        while True:
            if state["pending"] is None:
                if not samples:
                    break
                state["pending"] = {"sourceId": state["sourceId"], "sourceEpoch": state["sourceEpoch"],
                                    "sequence": str(state["nextSequence"]), "publisherCursor": a.cursor, "samples": samples}
                state["nextSequence"] += 1
                samples = []
                save_state(a.state, state)  # durable before it is sent
            else:
                print("resending pending sequence %s" % state["pending"]["sequence"], flush=True)
            batch = state["pending"]
            try:
                code = max(code, with_retries("sequence " + batch["sequence"], lambda: report(transport.send(batch)), a.retries))
            except Refused:
                answered(a.state, state)
                raise
            if a.crash_after_send:
                os._exit(9)
            answered(a.state, state)
        return code
    except Stop as e:
        print("error: %s" % e, file=sys.stderr, flush=True)
        return e.code
    finally:
        transport.close()


if __name__ == "__main__":
    sys.exit(main())
