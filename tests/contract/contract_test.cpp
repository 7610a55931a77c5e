// The published contract, docs/openapi.json, against the real gateway:
// every route the gateway's sources answer is documented, every documented
// operation is served and answers only statuses the document lists, bodies
// decode as the protobuf messages the document names, every field and enum
// value of those messages is in the document, and the ack reasons map to the
// HTTP statuses the document gives them.
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"

namespace ioc::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& document_text() {
  static const std::string text = read_file(source_dir() + "/docs/openapi.json");
  return text;
}

const json::object& document() {
  static const json::value doc = json::parse(document_text());
  return doc.as_object();
}

const json::object& schemas() { return document().at("components").at("schemas").as_object(); }

// A route literal in the gateway's sources: an exact path, or a prefix.
struct route_literal {
  std::string path;
  bool prefix = false;
  bool post = false;  // compared together with http::verb::post
  std::string where;
};

// The route literals of the gateway's C++ sources: `path == "/..."`,
// `path.rfind("/...", 0) == 0` and `path.starts_with("/...")`.
std::vector<route_literal> gateway_routes() {
  static const std::regex exact(R"re(path\s*==\s*"(/[^"]*)")re");
  static const std::regex prefix(R"re(path\s*\.\s*(?:rfind\s*\(\s*"(/[^"]*)"\s*,\s*0\s*\)\s*==\s*0|starts_with\s*\(\s*"(/[^"]*)"\s*\)))re");
  std::vector<route_literal> out;
  for (const auto& entry : fs::recursive_directory_iterator(source_dir() + "/gateway")) {
    const auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::istringstream in(read_file(entry.path().string()));
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      const std::string where = fs::relative(entry.path(), source_dir()).string() + ":" + std::to_string(n);
      const bool post = line.find("verb::post") != std::string::npos;
      for (std::sregex_iterator m(line.begin(), line.end(), exact), end; m != end; ++m) {
        out.push_back({(*m)[1], false, post, where});
      }
      for (std::sregex_iterator m(line.begin(), line.end(), prefix), end; m != end; ++m) {
        out.push_back({(*m)[1].matched ? (*m)[1].str() : (*m)[2].str(), true, post, where});
      }
    }
  }
  return out;
}

TEST(Contract, EveryRouteTheGatewayServesIsDocumented) {
  const auto routes = gateway_routes();
  std::set<std::string> found;
  for (const auto& r : routes) found.insert(r.path);
  // The extraction itself still works (a refactor that renames `path` must update this test).
  for (const char* known : {"/v1/samples", "/v1/ingest", "/v1/live", "/healthz", "/v1/series/", "/v1/openapi.json"}) {
    EXPECT_TRUE(found.count(known)) << known << " not found among the gateway's route literals";
  }
  const auto& paths = document().at("paths").as_object();
  for (const auto& r : routes) {
    if (!r.prefix) {
      const auto* item = paths.if_contains(r.path);
      ASSERT_TRUE(item) << r.where << ": the gateway serves " << r.path << " but docs/openapi.json does not document it";
      EXPECT_TRUE(item->as_object().contains(r.post ? "post" : "get"))
          << r.where << ": " << (r.post ? "POST " : "GET ") << r.path << " is not documented";
      continue;
    }
    // A prefix route serves a templated path: /v1/series/ → /v1/series/{indicator}.
    // "/v1/" alone is the catch-all answering 404 for the rest of /v1/.
    bool documented = false;
    for (const auto& [p, item] : paths) {
      const std::string path(p);
      documented = documented || (path.rfind(r.path, 0) == 0 && (r.path == "/v1/" || path[r.path.size()] == '{'));
    }
    EXPECT_TRUE(documented) << r.where << ": the gateway serves " << r.path << "{...} but docs/openapi.json does not document it";
  }
  // And the other way: nothing documented that the sources do not route.
  for (const auto& [p, item] : paths) {
    const std::string path(p);
    bool routed = found.count(path) > 0;
    for (const auto& r : routes) {
      routed = routed || (r.prefix && r.path != "/v1/" && path.rfind(r.path, 0) == 0 && path[r.path.size()] == '{');
    }
    EXPECT_TRUE(routed) << "docs/openapi.json documents " << path << " but the gateway has no route for it";
  }
}

// The protobuf message a component schema describes ("ioc.v1.Ack", or
// "ioc.v1.Sample (JSON, as accepted)"), or null.
const google::protobuf::Descriptor* message_of(const json::object& schema, const google::protobuf::EnumDescriptor** e = nullptr) {
  const auto* title = schema.if_contains("title");
  if (!title) return nullptr;
  std::string name(title->as_string());
  name = name.substr(0, name.find(' '));
  const auto* pool = ioc::v1::Ack::descriptor()->file()->pool();
  if (e) *e = pool->FindEnumTypeByName(name);
  return pool->FindMessageTypeByName(name);
}

TEST(Contract, SchemasListEveryFieldAndValueOfTheirMessages) {
  std::set<std::string> described;
  for (const auto& [key, value] : schemas()) {
    const auto& schema = value.as_object();
    const google::protobuf::EnumDescriptor* e = nullptr;
    if (const auto* m = message_of(schema, &e)) {
      described.insert(m->name());
      const auto& props = schema.at("properties").as_object();
      for (int i = 0; i < m->field_count(); ++i) {
        EXPECT_TRUE(props.contains(m->field(i)->json_name()))
            << "components.schemas." << key << " lacks " << m->full_name() << "." << m->field(i)->name();
      }
    }
    if (e) {
      described.insert(e->name());
      std::map<std::string, std::int64_t> listed;
      if (const auto* names = schema.if_contains("enum")) {
        for (const auto& n : names->as_array()) listed[std::string(n.as_string())] = -1;
      } else {
        for (const auto& v : schema.at("oneOf").as_array()) {
          listed[std::string(v.at("const").as_string())] = v.at("x-number").to_number<std::int64_t>();
        }
      }
      EXPECT_EQ(static_cast<int>(listed.size()), e->value_count()) << key;
      for (int i = 0; i < e->value_count(); ++i) {
        const auto it = listed.find(e->value(i)->name());
        ASSERT_NE(it, listed.end()) << "components.schemas." << key << " lacks " << e->value(i)->name();
        if (it->second >= 0) {
          EXPECT_EQ(it->second, e->value(i)->number()) << e->value(i)->name();
        }
      }
    }
  }
  for (const char* name : {"IngestBatch", "Sample", "Fraction", "Ack", "Refusal", "Reason", "SourceStatus", "SourceEpochStatus",
                           "Catalog", "DisplayFrame", "Snapshot", "Delta", "SeriesState", "Window"}) {
    EXPECT_TRUE(described.count(name)) << "no component schema titled ioc.v1." << name;
  }
}

// Now in Vietnam time, as an agency writes it: "2026-11-25 10:00:00+0700".
std::string now_vietnam_text() {
  const std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 7 * 3600);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S+0700", std::gmtime(&t));
  return buf;
}

// The documented request examples of POST /v1/samples by name, times made current.
std::map<std::string, json::object> samples_examples() {
  std::map<std::string, json::object> out;
  const auto& examples = document()
                             .at("paths").at("/v1/samples").at("post").at("requestBody").at("content")
                             .at("application/json").at("examples").as_object();
  for (const auto& [name, example] : examples) {
    json::object batch = example.at("value").as_object();
    for (auto& s : batch.at("samples").as_array()) {
      auto& sample = s.as_object();
      if (sample.contains("eventTimeMs")) sample["eventTimeMs"] = std::to_string(now_ms());
      if (sample.contains("eventTime")) sample["eventTime"] = now_vietnam_text();
    }
    out[std::string(name)] = std::move(batch);
  }
  return out;
}

json::object samples_example() { return samples_examples().at("canonical"); }

const std::map<std::string, std::string> tax = {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/json"}};

http_result post_batch(unsigned short port, const json::object& batch) {
  return http_call(port, "POST", "/v1/samples", json::serialize(batch), tax);
}

// The body decodes (strictly) as the protobuf message the documented schema names.
void expect_body_matches(const json::object& response, const http_result& r, const std::string& what) {
  const auto* content = response.if_contains("content");
  if (!content || !content->as_object().contains("application/json")) return;
  const auto& media = content->at("application/json").as_object();
  std::vector<std::string> refs;
  const auto& schema = media.at("schema").as_object();
  if (const auto* ref = schema.if_contains("$ref")) refs.emplace_back(ref->as_string());
  if (const auto* any = schema.if_contains("oneOf")) {
    for (const auto& v : any->as_array()) refs.emplace_back(v.at("$ref").as_string());
  }
  if (refs.empty()) return;
  std::string errors;
  for (const auto& ref : refs) {
    const auto& target = schemas().at(ref.substr(ref.rfind('/') + 1)).as_object();
    if (const auto* m = message_of(target)) {
      std::unique_ptr<google::protobuf::Message> msg(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(m)->New());
      const auto status = google::protobuf::util::JsonStringToMessage(r.body, msg.get());
      if (status.ok()) return;
      errors += ref + ": " + std::string(status.message()) + "; ";
    } else {  // Error: {code, message}
      const json::value v = json::parse(r.body);
      if (v.is_object() && v.as_object().contains("code") && v.as_object().contains("message")) return;
      errors += ref + ": no code and message; ";
    }
  }
  ADD_FAILURE() << what << " answered a body that is none of the documented schemas: " << errors << r.body;
}

TEST(Contract, EveryDocumentedOperationIsServedWithADocumentedAnswer) {
  // With an administrator token (SHA-256 of "admin-token") for GET /v1/audit.
  // Reports in a directory holding one already (GET /v1/reports/{file}'s example); /bin/true
  // stands in for Chromium (it prints nothing: POST /v1/reports answers 201 with pdf false).
  const std::string reports = make_temp_dir("ioc-contract-reports");
  std::ofstream(reports + "/2026-10.html") << "<!doctype html><title>2026-10</title>";
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"admin_token_sha256\": \"10a4c7c9fc5206d6f36dc6944a81bb6f4a3cb0e25014ae3b12e6c3e52712292a\", "
                                        "\"reports_dir\": \"" + reports + "\", \"report_chromium_path\": \"/bin/true\", \"report_schedule_off\": true}"));
  const unsigned short port = gw.port();
  ASSERT_TRUE(wait_ready(port, std::chrono::seconds(15)));
  // The documented request examples (which redocly lint checks against the
  // schema) are applied whole as they stand, times made current.
  const auto examples = samples_examples();
  ASSERT_GE(examples.size(), 2u);
  for (const auto& [name, example] : examples) {
    auto applied = post_batch(port, example);
    ASSERT_EQ(applied.status, 200) << name << ": " << applied.body;
    EXPECT_EQ(json::parse(applied.body).at("accepted").to_number<int>(), static_cast<int>(example.at("samples").as_array().size()))
        << "the documented example '" << name << "' is not applied whole: " << applied.body;
  }

  int operations = 0;
  for (const auto& [p, item] : document().at("paths").as_object()) {
    for (const auto& [method, op_value] : item.as_object()) {
      const auto& op = op_value.as_object();
      std::string target(p);
      std::string query;
      for (const auto& param : op.contains("parameters") ? op.at("parameters").as_array() : json::array()) {
        const auto& pa = param.as_object();
        if (pa.at("in").as_string() != "path") continue;
        ASSERT_TRUE(pa.contains("example")) << p << ": path parameter " << pa.at("name") << " has no example";
        const std::string name = "{" + std::string(pa.at("name").as_string()) + "}";
        target.replace(target.find(name), name.size(), std::string(pa.at("example").as_string()));
      }
      std::map<std::string, std::string> headers;
      const bool secured = op.contains("security") && !op.at("security").as_array().empty();
      if (secured) headers = tax;
      if (secured && op.at("security").as_array()[0].as_object().contains("adminToken")) {
        headers["Authorization"] = "Bearer admin-token";
      }
      const bool websocket = op.contains("x-websocket");
      if (websocket) {
        headers["Connection"] = "Upgrade";
        headers["Upgrade"] = "websocket";
        headers["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ==";
        headers["Sec-WebSocket-Version"] = "13";
      }
      std::string body;
      if (method == "post") {
        json::object again = samples_example();
        again["sequence"] = std::to_string(100 + operations);  // each POST route its own batch
        body = json::serialize(again);
      }
      const std::string what = std::string(method) + " " + target;
      const std::string verb = method == "post" ? "POST" : "GET";
      const auto r = http_call(port, verb, target, body, headers);
      ++operations;
      const auto& responses = op.at("responses").as_object();
      const auto* documented = responses.if_contains(std::to_string(r.status));
      ASSERT_TRUE(documented) << what << " answered " << r.status << ", not documented: " << r.body;
      if (websocket) {
        EXPECT_EQ(r.status, 101) << what << " did not upgrade";
        continue;
      }
      EXPECT_TRUE(r.status >= 200 && r.status < 300) << what << " answered " << r.status << ": " << r.body;
      expect_body_matches(documented->as_object(), r, what);
      if (secured) {  // and without the token: 401, documented
        const auto anonymous = http_call(port, verb, target, body, {{"Content-Type", "application/json"}});
        EXPECT_EQ(anonymous.status, 401) << what;
        EXPECT_TRUE(responses.contains("401")) << what << " does not document 401";
      }
    }
  }
  EXPECT_GE(operations, 11);
  // The document the gateway serves is the repository's.
  auto served = http_call(port, "GET", "/v1/openapi.json");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body, document_text());
  EXPECT_EQ(served.headers["Content-Type"], "application/json");
}

// The documented x-http-status of a Reason value.
int documented_status(const std::string& reason) {
  for (const auto& v : schemas().at("Reason").at("oneOf").as_array()) {
    if (v.at("const").as_string() == reason) {
      const auto* s = v.as_object().if_contains("x-http-status");
      return s ? s->to_number<int>() : 0;
    }
  }
  return -1;
}

TEST(Contract, AckReasonsAnswerTheDocumentedStatus) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"));
  const unsigned short port = gw.port();
  ASSERT_TRUE(wait_ready(port, std::chrono::seconds(15)));
  auto check = [&](const json::object& batch, const std::string& want_reason) {
    const auto r = post_batch(port, batch);
    const json::value ack = json::parse(r.body);
    ASSERT_TRUE(ack.is_object() && ack.as_object().contains("batchReason")) << r.body;
    EXPECT_EQ(ack.at("batchReason").as_string(), want_reason) << r.body;
    EXPECT_EQ(r.status, documented_status(want_reason)) << want_reason << ": " << r.body;
    const auto& documented = document().at("paths").at("/v1/samples").at("post").at("responses").as_object();
    EXPECT_TRUE(documented.contains(std::to_string(r.status))) << r.status;
  };
  json::object batch = samples_example();
  batch["sourceId"] = "contract-reasons";
  batch["sequence"] = "5000";
  check(batch, "REASON_UNSPECIFIED");
  check(batch, "DUPLICATE");
  json::object other = batch;
  other["samples"].as_array()[0].as_object()["value"] = 99;
  check(other, "SEQUENCE_REUSED");
  other["sequence"] = "1";
  check(other, "SEQUENCE_TOO_OLD");
  other["sequence"] = "0";
  check(other, "BAD_SEQUENCE");
  other["sequence"] = "5001";
  other["sourceId"] = "no spaces allowed";
  check(other, "BAD_SOURCE");
  other["sourceId"] = "contract-reasons";
  other["publisherCursor"] = std::string(300, 'x');
  check(other, "MALFORMED");
  other["publisherCursor"] = "";
  json::array many;
  for (int i = 0; i < 1001; ++i) many.push_back(batch.at("samples").as_array()[0]);
  other["samples"] = many;
  check(other, "BATCH_TOO_LARGE");
  // Reasons for one sample leave the status at 200 and have no x-http-status.
  for (const char* r : {"UNKNOWN_INDICATOR", "UNKNOWN_AREA", "VALUE_OUT_OF_RANGE", "TOO_OLD", "TOO_FAR_AHEAD", "MISSING_MEASURE"}) {
    EXPECT_EQ(documented_status(r), 0) << r;
  }
}

}  // namespace
}  // namespace ioc::test
