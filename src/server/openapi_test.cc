// The OpenAPI document is kept true: every route is documented with its method and permission, and every
// documented operation is a route.
#include <set>

#include "server/api_test_support.h"
#include "server/static_files.h"

namespace triage::server {
namespace {

using OpenApiTest = ApiTest;

TEST_F(OpenApiTest, DocumentIsServedAndIsOpenApi3) {
  auto r = client_->Get("/api/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json doc = Body(r);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_TRUE(doc["paths"].is_object());
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedWithItsPermission) {
  json doc = json::parse(OpenApiJson());
  for (const RouteInfo& route : server_->routes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    ASSERT_TRUE(doc["paths"].contains(route.path));
    ASSERT_TRUE(doc["paths"][route.path].contains(route.method));
    const json& op = doc["paths"][route.path][route.method];
    EXPECT_EQ(op["x-permission"], route.permission);
    EXPECT_TRUE(op.contains("summary"));
    if (route.permission != "public") {
      EXPECT_TRUE(op["responses"].contains("401"));
    }
    if (route.path.find("{id}") != std::string::npos) {
      EXPECT_TRUE(op["responses"].contains("404"));
    }
    // Every route that takes a body refuses one over its limit before reading it; bounded routes answer busy.
    if (route.method != "get") {
      EXPECT_TRUE(op["responses"].contains("413"));
    }
    if (route.max_concurrent > 0) {
      EXPECT_TRUE(op["responses"].contains("503"));
    }
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsARoute) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const RouteInfo& route : server_->routes()) routes.insert({route.method, route.path});
  json doc = json::parse(OpenApiJson());
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      EXPECT_TRUE(routes.count({method, path})) << method << " " << path << " is documented but not served";
    }
  }
}

// The fields of a documented answer, with its allOf parts and $refs to components followed.
std::set<std::string> DocumentedFields(const json& doc, const json& schema) {
  std::set<std::string> out;
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"].get<std::string>().substr(std::string("#/components/schemas/").size());
    return DocumentedFields(doc, doc["components"]["schemas"][ref]);
  }
  const json parts = schema.value("allOf", json::array());
  const json properties = schema.value("properties", json::object());  // items() must not outlive what it iterates
  for (const json& part : parts) out.merge(DocumentedFields(doc, part));
  for (const auto& [name, _] : properties.items()) out.insert(name);
  return out;
}

TEST_F(OpenApiTest, ThePublicImagesAnswerHasEveryDocumentedFieldAndNoOther) {
  auto ids = Ingest({"obama.jpg"});
  ASSERT_TRUE(review_->Approve(ids[0], "ada", "bob", 100).ok());
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(ids[0]) + "/public", {{"public", true}}, &admin)->status, 200);
  json images = Body(client_->Get("/api/public/images"))["images"];
  ASSERT_EQ(images.size(), 1u);
  std::set<std::string> answered;
  for (const auto& [name, _] : images[0].items()) answered.insert(name);
  json doc = json::parse(OpenApiJson());
  const json& schema =
      doc["paths"]["/api/public/images"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
  EXPECT_EQ(answered, DocumentedFields(doc, schema["properties"]["images"]["items"]));
  EXPECT_TRUE(answered.count("my_flag"));
}

TEST_F(OpenApiTest, EveryReferencedSchemaExists) {
  json doc = json::parse(OpenApiJson());
  std::string text = doc.dump();
  const std::string prefix = "#/components/";
  for (size_t pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix, pos + 1)) {
    size_t end = text.find('"', pos);
    std::string ref = text.substr(pos + prefix.size(), end - pos - prefix.size());
    size_t slash = ref.find('/');
    SCOPED_TRACE(ref);
    EXPECT_TRUE(doc["components"][ref.substr(0, slash)].contains(ref.substr(slash + 1)));
  }
}

}  // namespace
}  // namespace triage::server
