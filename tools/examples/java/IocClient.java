// An agency's publisher for ioc-gateway in Java 17, JDK only (java.net.http).
// Sends one batch per run over HTTP (JSON) and keeps what a publisher must keep
// in a small state file: its sourceEpoch (chosen at random when the file is
// created), the next sequence, and the batch sent but not yet answered
// ("pending", resent first on the next run with the same sequence).
//
//   java tools/examples/java/IocClient.java --url http://127.0.0.1:8080 --token TOKEN \
//       --source erp-1 --state erp-1.state.json --value einvoice_issued 44 12 \
//       --ratio online_dossier_rate 18880 1 1
//
// Exit codes (as tools/examples/python/ioc_client.py): 0 applied (or DUPLICATE),
// 1 samples refused, 2 batch refused whole (do not retry), 3 token refused,
// 4 gave up retrying (the batch stays pending). Contract: GET /v1/openapi.json.
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

public final class IocClient {
  static final int OK = 0, SAMPLES_REFUSED = 1, BATCH_REFUSED = 2, TOKEN_REFUSED = 3, GAVE_UP = 4;
  static final Set<String> RETRY_LATER = Set.of("STORAGE_UNAVAILABLE", "RATE_LIMITED", "IN_FLIGHT");

  /** Ends the run with an exit code. */
  static class Stop extends Exception {
    private static final long serialVersionUID = 1;
    final int code;
    Stop(int code, String message) { super(message); this.code = code; }
  }
  /** The gateway answered the batch with a refusal: it is not sent again. */
  static final class Refused extends Stop {
    private static final long serialVersionUID = 1;
    Refused(String message) { super(BATCH_REFUSED, message); }
  }
  static final class RetryLater extends Exception {
    private static final long serialVersionUID = 1;
    RetryLater(String message) { super(message); }
  }
  interface Attempt<T> { T run() throws RetryLater, Stop; }
  record Answer(int status, Map<String, Object> body) {}

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final String url, token;
  final int retries;

  IocClient(String url, String token, int retries) {
    this.url = url.replaceAll("/+$", "");
    this.token = token;
    this.retries = retries;
  }

  // ---------------------------------------------------------------- HTTP

  Answer call(String method, String path, String json) throws RetryLater {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token);
    if (json != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      Object body;
      try {
        body = Json.parse(res.body());
      } catch (RuntimeException e) {  // not JSON
        body = null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = body instanceof Map ? (Map<String, Object>) body
                                                    : Map.of("code", "http_" + res.statusCode(), "message", res.body());
      return new Answer(res.statusCode(), map);
    } catch (IOException e) {
      throw new RetryLater("gateway unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryLater("interrupted");
    }
  }

  <T> T withRetries(String what, Attempt<T> attempt) throws Stop, InterruptedException {
    double delay = 0.2;  // seconds, doubling to 5, with jitter
    for (int i = 0;; ++i) {
      try {
        return attempt.run();
      } catch (RetryLater e) {
        if (i == retries) throw new Stop(GAVE_UP, what + ": gave up after " + (retries + 1) + " attempts: " + e.getMessage());
        System.out.printf("%s: %s; retrying in %.1f s%n", what, e.getMessage(), delay);
        Thread.sleep((long) (delay * 1000 * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
        delay = Math.min(delay * 2, 5.0);
      }
    }
  }

  // ---------------------------------------------------------------- the publisher

  /** Reconciles the state with what the gateway has applied (GET /v1/sources/{id}). */
  void resume(Map<String, Object> state, boolean fresh) throws RetryLater, Stop {
    Answer a = call("GET", "/v1/sources/" + URLEncoder.encode((String) state.get("sourceId"), StandardCharsets.UTF_8), null);
    if (a.status() == 401) throw new Stop(TOKEN_REFUSED, "token refused: " + a.body().get("message"));
    if (a.status() == 404) return;
    if (a.status() != 200) throw new RetryLater("GET /v1/sources answered " + a.status() + " " + a.body().get("code"));
    Map<String, Object> s = a.body();
    if (fresh && !"0".equals(s.get("lastSequence"))) {
      System.out.printf("new sourceEpoch %s; the source's last applied batch was epoch %s sequence %s, input cursor '%s': "
                            + "resume your input there%n",
                        state.get("sourceEpoch"), s.get("lastEpoch"), s.get("lastSequence"), s.get("lastCursor"));
    }
    for (Object o : (List<?>) s.getOrDefault("epochs", List.of())) {
      Map<?, ?> epoch = (Map<?, ?>) o;
      long highest = Long.parseUnsignedLong((String) epoch.get("highestSequence"));
      long next = ((Number) state.get("nextSequence")).longValue();
      if (epoch.get("sourceEpoch").equals(state.get("sourceEpoch")) && state.get("pending") == null && highest >= next) {
        // The state file is behind the server (restored from a backup, or written by a crashed run).
        System.out.printf("state is behind the gateway: sequence %d already applied in this epoch; continuing at %d%n",
                          highest, highest + 1);
        state.put("nextSequence", highest + 1);
      }
    }
  }

  /** Sends one batch; prints the answer and returns its exit code. */
  int send(Map<String, Object> batch) throws RetryLater, Stop {
    Answer a = call("POST", "/v1/samples", Json.write(batch));
    if (a.status() == 401) throw new Stop(TOKEN_REFUSED, "token refused: " + a.body().get("message"));
    Map<String, Object> ack = a.body();
    if (!ack.containsKey("batchReason")) {  // an {code, message} error, not an ack
      throw new Refused("HTTP " + a.status() + " " + ack.get("code") + ": " + ack.get("message"));
    }
    String reason = (String) ack.get("batchReason"), seq = (String) ack.get("sequence"), msg = (String) ack.get("batchMessage");
    if (RETRY_LATER.contains(reason)) throw new RetryLater("sequence " + seq + ": " + reason + " " + msg);
    if (reason.equals("SEQUENCE_TOO_OLD") || reason.equals("SEQUENCE_REUSED")) {
      throw new Refused("sequence " + seq + ": " + reason + ": " + msg
                        + ". This state cannot go on: remove the state file to start a new sourceEpoch");
    }
    if (!reason.equals("REASON_UNSPECIFIED") && !reason.equals("DUPLICATE")) {
      throw new Refused("sequence " + seq + " refused whole: " + reason + ": " + msg);
    }
    List<?> refused = (List<?>) ack.get("refused");
    long accepted = ((Number) ack.get("accepted")).longValue();
    if (reason.equals("DUPLICATE")) {  // the first answer, repeated: nothing changed now
      Instant first = Instant.ofEpochMilli(Long.parseLong((String) ack.get("firstAnsweredMs")));
      System.out.printf("sequence %s: DUPLICATE, already answered at %s: accepted %d, refused %d (nothing changed now)%n",
                        seq, first, accepted, refused.size());
    } else {
      System.out.printf("sequence %s: accepted %d, refused %d%n", seq, accepted, refused.size());
    }
    for (Object o : refused) {
      Map<?, ?> r = (Map<?, ?>) o;
      System.out.printf("  sample %s refused: %s: %s%n", r.get("index"), r.get("reason"), r.get("message"));
    }
    return refused.isEmpty() ? OK : SAMPLES_REFUSED;
  }

  // ---------------------------------------------------------------- state file

  static void save(Path path, Map<String, Object> state) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, Json.write(state), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                      StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> load(Path path, String source, long firstSequence, boolean[] fresh) throws IOException, Stop {
    fresh[0] = !Files.exists(path);
    if (!fresh[0]) {
      Map<String, Object> state = (Map<String, Object>) Json.parse(Files.readString(path));
      if (!source.equals(state.get("sourceId"))) throw new Stop(BATCH_REFUSED, path + " belongs to source " + state.get("sourceId"));
      return state;
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("sourceId", source);
    state.put("sourceEpoch", Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE | 1));
    state.put("nextSequence", firstSequence);
    state.put("pending", null);
    save(path, state);
    return state;
  }

  static long eventTimeMs(String text) throws Stop {
    if (text == null) return System.currentTimeMillis();
    if (text.matches("-?[0-9]+")) return Long.parseLong(text);
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      throw new Stop(BATCH_REFUSED, "--event-time needs epoch ms or ISO 8601 with an offset, e.g. 2026-11-25T10:00:00+07:00");
    }
  }

  static Map<String, Object> sample(String indicator, String area, long at) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("indicator", indicator);
    s.put("area", area);
    s.put("eventTimeMs", Long.toString(at));
    return s;
  }

  static int run(String[] args) throws Exception {
    String url = "http://127.0.0.1:8080", token = System.getenv("IOC_TOKEN"), source = null, state = null, eventTime = null, cursor = "";
    long firstSequence = 1;
    int retries = 8;
    boolean crashAfterSend = false;
    List<String[]> values = new ArrayList<>(), ratios = new ArrayList<>();
    for (int i = 0; i < args.length; ++i) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--token" -> token = args[++i];
        case "--source" -> source = args[++i];
        case "--state" -> state = args[++i];
        case "--event-time" -> eventTime = args[++i];
        case "--cursor" -> cursor = args[++i];
        case "--first-sequence" -> firstSequence = Long.parseLong(args[++i]);
        case "--retries" -> retries = Integer.parseInt(args[++i]);
        case "--crash-after-send" -> crashAfterSend = true;  // exit 9 before recording the answer
        case "--value" -> { values.add(new String[] {args[i + 1], args[i + 2], args[i + 3]}); i += 3; }
        case "--ratio" -> { ratios.add(new String[] {args[i + 1], args[i + 2], args[i + 3], args[i + 4]}); i += 4; }
        default -> {
          System.err.println("usage: java IocClient.java --url URL --token TOKEN --source ID --state FILE "
                             + "[--value INDICATOR AREA VALUE]... [--ratio INDICATOR AREA NUM DEN]... [--event-time T] "
                             + "[--cursor TEXT] [--first-sequence N] [--retries N] [--crash-after-send]");
          return BATCH_REFUSED;
        }
      }
    }
    if (token == null || source == null || state == null) {
      System.err.println("--token (or $IOC_TOKEN), --source and --state are required");
      return BATCH_REFUSED;
    }
    final IocClient client = new IocClient(url, token, retries);
    final Path path = Path.of(state);
    try {
      long at = eventTimeMs(eventTime);
      List<Object> samples = new ArrayList<>();
      for (String[] v : values) {
        Map<String, Object> s = sample(v[0], v[1], at);
        s.put("value", Double.parseDouble(v[2]));
        samples.add(s);
      }
      for (String[] r : ratios) {
        Map<String, Object> s = sample(r[0], r[1], at);
        s.put("ratio", Map.of("numerator", Double.parseDouble(r[2]), "denominator", Double.parseDouble(r[3])));
        samples.add(s);
      }
      boolean[] fresh = {false};
      final Map<String, Object> st = load(path, source, firstSequence, fresh);
      client.withRetries("resume", () -> { client.resume(st, fresh[0]); return null; });
      save(path, st);
      int code = OK;
      while (true) {
        if (st.get("pending") == null) {
          if (samples.isEmpty()) break;
          long next = ((Number) st.get("nextSequence")).longValue();
          Map<String, Object> batch = new LinkedHashMap<>();
          batch.put("sourceId", source);
          batch.put("sourceEpoch", st.get("sourceEpoch"));
          batch.put("sequence", Long.toString(next));
          batch.put("publisherCursor", cursor);
          batch.put("samples", samples);
          st.put("pending", batch);
          st.put("nextSequence", next + 1);
          samples = List.of();
          save(path, st);  // durable before it is sent
        } else {
          System.out.println("resending pending sequence " + ((Map<?, ?>) st.get("pending")).get("sequence"));
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> batch = (Map<String, Object>) st.get("pending");
        try {
          code = Math.max(code, client.withRetries("sequence " + batch.get("sequence"), () -> client.send(batch)));
        } catch (Refused e) {
          answered(path, st);
          throw e;
        }
        if (crashAfterSend) Runtime.getRuntime().halt(9);
        answered(path, st);
      }
      return code;
    } catch (Stop e) {
      System.out.flush();
      System.err.println("error: " + e.getMessage());
      return e.code;
    }
  }

  static void answered(Path path, Map<String, Object> state) throws IOException {
    state.put("pending", null);  // it will not be sent again
    save(path, state);
  }

  public static void main(String[] args) throws Exception {
    int code = run(args);
    System.out.flush();
    System.exit(code);
  }

  /** Just enough JSON: objects (insertion order), arrays, strings, numbers, booleans, null. */
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) { this.s = s; }

    static Object parse(String text) {
      Json p = new Json(text);
      Object v = p.value();
      p.ws();
      if (p.i != text.length()) throw new IllegalArgumentException("trailing characters at " + p.i);
      return v;
    }

    static String write(Object v) {
      StringBuilder b = new StringBuilder();
      write(v, b);
      return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
      if (v == null) {
        b.append("null");
      } else if (v instanceof String str) {
        b.append('"');
        for (char c : str.toCharArray()) {
          if (c == '"' || c == '\\') b.append('\\').append(c);
          else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
        b.append('"');
      } else if (v instanceof Map<?, ?> m) {
        b.append('{');
        String sep = "";
        for (Map.Entry<?, ?> e : m.entrySet()) {
          b.append(sep);
          write(String.valueOf(e.getKey()), b);
          b.append(':');
          write(e.getValue(), b);
          sep = ",";
        }
        b.append('}');
      } else if (v instanceof List<?> l) {
        b.append('[');
        for (int k = 0; k < l.size(); ++k) {
          if (k > 0) b.append(',');
          write(l.get(k), b);
        }
        b.append(']');
      } else {
        b.append(v);  // Number, Boolean
      }
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) ++i;
    }

    private Object value() {
      ws();
      if (i >= s.length()) throw new IllegalArgumentException("unexpected end");
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        ++i;
        ws();
        if (s.charAt(i) == '}') { ++i; return m; }
        while (true) {
          ws();
          String k = (String) value();
          ws();
          expect(':');
          m.put(k, value());
          ws();
          if (s.charAt(i) == ',') { ++i; continue; }
          expect('}');
          return m;
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        ++i;
        ws();
        if (s.charAt(i) == ']') { ++i; return l; }
        while (true) {
          l.add(value());
          ws();
          if (s.charAt(i) == ',') { ++i; continue; }
          expect(']');
          return l;
        }
      }
      if (c == '"') {
        StringBuilder b = new StringBuilder();
        ++i;
        while (s.charAt(i) != '"') {
          char ch = s.charAt(i++);
          if (ch == '\\') {
            char e = s.charAt(i++);
            switch (e) {
              case 'n' -> b.append('\n');
              case 't' -> b.append('\t');
              case 'r' -> b.append('\r');
              case 'b' -> b.append('\b');
              case 'f' -> b.append('\f');
              case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
              default -> b.append(e);
            }
          } else {
            b.append(ch);
          }
        }
        ++i;
        return b.toString();
      }
      if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
      if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
      if (s.startsWith("null", i)) { i += 4; return null; }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) ++i;
      if (start == i) throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
      String num = s.substring(start, i);
      return num.matches("-?[0-9]+") ? (Number) Long.parseLong(num) : (Number) Double.parseDouble(num);
    }

    private void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
      ++i;
    }
  }
}
