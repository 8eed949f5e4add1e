// Specification of the items API: list, one item, thumbnails (cached, ETag) and originals.
#include <fmt/format.h>

#include "base/files.h"
#include "server/api_test_support.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using ItemsApiTest = ApiTest;

TEST_F(ItemsApiTest, ListsWithFiltersAndPaging) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama.jpg"});
  TestSession s = Login("alice");
  json all = Body(Get("/api/items", &s));
  EXPECT_EQ(all["total"], 3);
  EXPECT_EQ(all["items"][0]["id"], ids[2]);  // newest first by default
  EXPECT_EQ(Body(Get("/api/items?category=duplicates", &s))["total"], 1);
  EXPECT_EQ(Body(Get("/api/items?location=library", &s))["total"], 0);
  EXPECT_EQ(Body(Get("/api/items?per_page=1&page=2&sort=oldest", &s))["items"][0]["id"], ids[1]);
  EXPECT_EQ(Get("/api/items?location=attic", &s)->status, 400);
  EXPECT_EQ(Get("/api/items?per_page=0", &s)->status, 400);
  // An unknown category is refused naming the categories, as the review queue and `triage items` do; it used to
  // answer an empty list, as if nothing were in it.
  auto bogus = Get("/api/items?category=bogus", &s);
  EXPECT_EQ(bogus->status, 400);
  EXPECT_NE(Body(bogus)["message"].get<std::string>().find(
                "unknown review category \"bogus\"; the review categories are: duplicates, "),
            std::string::npos);
  // So is a person nobody is (as the gallery and `triage items` do); a known one by either name lists their photos.
  auto nobody = Get("/api/items?person=nobodyx", &s);
  EXPECT_EQ(nobody->status, 400) << nobody->body;
  EXPECT_EQ(Body(nobody)["message"].get<std::string>().rfind("query parameter person: ", 0), 0u) << nobody->body;
  ASSERT_TRUE(review_->Approve(ids[1], "Joe Biden", "bob", 100).ok());
  EXPECT_EQ(Body(Get("/api/items?person=joe_biden", &s))["items"][0]["id"], ids[1]);
  EXPECT_EQ(Body(Get("/api/items?person=Joe%20Biden", &s))["items"][0]["id"], ids[1]);
  // The archive (images an approved proposal replaced) is listed as `triage items --location archive` lists it.
  auto archive = Get("/api/items?location=archive", &s);
  EXPECT_EQ(archive->status, 200) << archive->body;
  EXPECT_EQ(Body(archive)["total"], 0);
}

// The trash page lists the photo deleted last first, whatever its id (sort=changed); by id, it used to come wherever
// its id put it. Photos deleted within one second (the times are in seconds) come in the order they were deleted.
TEST_F(ItemsApiTest, TheTrashIsListedAsItsPhotosWereDeleted) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "skimage_coffee.jpg"});
  ASSERT_TRUE(review_->Reject(ids[2], "bob", 1000).ok());
  ASSERT_TRUE(review_->Reject(ids[1], "bob", 2000).ok());
  ASSERT_TRUE(review_->Reject(ids[0], "bob", 2000).ok());
  TestSession s = Login("alice");
  json trash = Body(Get("/api/items?location=trash&sort=changed", &s));
  ASSERT_EQ(trash["total"], 3) << trash.dump();
  EXPECT_EQ(trash["items"][0]["id"], ids[0]);
  EXPECT_EQ(trash["items"][1]["id"], ids[1]);
  EXPECT_EQ(trash["items"][2]["id"], ids[2]);
  EXPECT_EQ(Body(Get("/api/items?location=trash&sort=changed&per_page=1&page=3", &s))["items"][0]["id"], ids[2]);
  auto bad = Get("/api/items?sort=deleted", &s);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(Body(bad)["message"].get<std::string>().find("must be oldest, newest or changed"), std::string::npos);
}

TEST_F(ItemsApiTest, OneItemWithFacesAndAuditTrail) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  auto r = Get("/api/items/" + std::to_string(ids[0]), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = Body(r);
  std::string original = j["item"]["original_name"];
  EXPECT_EQ(original.substr(original.find('_') + 1), "obama.jpg");
  EXPECT_EQ(j["item"].count("original_path"), 0u);  // no machine paths leave the server
  EXPECT_EQ(j["audit"][0]["action"], "ingest");
  EXPECT_EQ(Get("/api/items/31337", &s)->status, 404);
  EXPECT_EQ(Get("/api/items/-4", &s)->status, 400);
}

TEST_F(ItemsApiTest, ThumbnailIsMadeOnceCachedAndRevalidatedByETag) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  std::string url = "/api/items/" + std::to_string(ids[0]) + "/thumbnail?size=160";
  auto r = Get(url, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(static_cast<unsigned char>(r->body[0]), 0xFF);
  EXPECT_NE(r->get_header_value("Cache-Control").find("max-age"), std::string::npos);
  std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  int cached = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_ / ".triage" / "thumbs")) cached += e.is_regular_file();
  EXPECT_EQ(cached, 1);
  auto again = client_->Get(url.c_str(), {{"Cookie", s.cookie}, {"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  // A size not offered and a size that is no number get the same answer: the sizes there are.
  for (const std::string size : {"333", "abc", "-1", ""}) {
    auto wrong = Get("/api/items/" + std::to_string(ids[0]) + "/thumbnail?size=" + size, &s);
    EXPECT_EQ(wrong->status, 400) << size;
    EXPECT_EQ(nlohmann::json::parse(wrong->body)["message"],
              "query parameter size: must be 160, 320, 640 or 1280 (got \"" + size + "\")");
  }
  EXPECT_EQ(Get("/api/items/999999/thumbnail", &s)->status, 404);
}

TEST_F(ItemsApiTest, AThumbnailThatCannotBeMadeIsNotCacheableAndWorksOnceTheFileIsBack) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  const fs::path file = root_ / catalog_->GetItem(ids[0])->path;
  const fs::path aside = root_ / "aside.jpg";
  fs::rename(file, aside);
  std::string url = "/api/items/" + std::to_string(ids[0]) + "/thumbnail?size=160";
  auto missing = Get(url, &s);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;
  EXPECT_EQ(missing->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(missing->get_header_value("ETag"), "") << "an error must not be revalidated as if it were the thumbnail";
  EXPECT_NE(Body(missing)["message"].get<std::string>().find("is missing"), std::string::npos) << missing->body;
  fs::rename(aside, file);
  auto back = Get(url, &s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_NE(back->get_header_value("Cache-Control").find("max-age"), std::string::npos);
}

uint32_t Crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string PngChunk(const std::string& type, const std::string& data) {
  return BigEndian32(static_cast<uint32_t>(data.size())) + type + data + BigEndian32(Crc32(type + data));
}

// A PNG whose header claims 30000x30000 pixels (900 MP, a decompression bomb's size) over a few bytes of data.
std::string HugePngHeader() {
  const std::string ihdr = BigEndian32(30000) + BigEndian32(30000) + std::string("\x08\x00\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1A\n", 8) + PngChunk("IHDR", ihdr) + PngChunk("IDAT", std::string(16, 'x')) +
         PngChunk("IEND", "");
}

TEST_F(ItemsApiTest, ThumbnailOfAnImageBeyondMaxPixelsIs422WithTheReasonAndOthersStillWork) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  // The file on disk now claims 900 MP (as if it had been stored as unreadable).
  ASSERT_TRUE(base::WriteFileDurably(root_ / catalog_->GetItem(ids[0])->path, HugePngHeader()).ok());
  TestSession s = Login("alice");
  auto huge = Get("/api/items/" + std::to_string(ids[0]) + "/thumbnail?size=160", &s);
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 422) << huge->body;
  EXPECT_EQ(Body(huge)["message"], "image of 30000x30000 pixels exceeds the limit of 250000000 pixels") << huge->body;
  auto other = Get("/api/items/" + std::to_string(ids[1]) + "/thumbnail?size=160", &s);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;
}

TEST_F(ItemsApiTest, OriginalIsTheFileItself) {
  auto ids = Ingest({"biden.jpg"});
  TestSession s = Login("alice");
  auto r = Get("/api/items/" + std::to_string(ids[0]) + "/original", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, *base::ReadFile(Fixture("biden.jpg")));
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(Get("/api/items/999999/original", &s)->status, 404);
  EXPECT_EQ(Get("/api/items/zz/original", &s)->status, 400);
}

// A parameter a list does not take ("limit" for "per_page", a cursor of another list) is refused, naming it, rather
// than answered with the default page as if it were the one asked for.
TEST_F(ItemsApiTest, AListRefusesAParameterItDoesNotTake) {
  Ingest({"biden.jpg"});
  TestSession s = Login("alice");
  for (const std::string url :
       {"/api/items?limit=0", "/api/items?per_page=5&offset=-1", "/api/review/queue?cursor=x"}) {
    auto r = Get(url, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << url;
    EXPECT_NE(r->body.find("not one this request takes (it takes "), std::string::npos) << r->body;
  }
  // So do the audit log, the review export, the summary and the persons: a misspelt filter listed everything.
  for (const std::string url :
       {"/api/audit?user=alice", "/api/audit?item=1", "/api/review/export?category=unidentified&id=1",
        "/api/stats/summary?day=7", "/api/persons?bogus=1"}) {
    auto r = Get(url, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << url << ": " << r->body;
    EXPECT_NE(r->body.find("not one this request takes"), std::string::npos) << r->body;
  }
  for (const std::string url :
       {"/api/audit?actor=alice&action=ingest&item_id=1&page=1&per_page=5", "/api/review/export?category=unidentified",
        "/api/stats/summary?days=7", "/api/persons"}) {
    EXPECT_EQ(Get(url, &s)->status, 200) << url;
  }
  EXPECT_EQ(Get("/api/items?per_page=5&sort=oldest", &s)->status, 200);
  EXPECT_EQ(Get("/api/review/queue?category=unidentified&page=1&per_page=5", &s)->status, 200);
}

// A link put where an item's file was (a shared folder others write to) could point at any file the server may read:
// it is not served, nor is a file behind a folder replaced by a link.
TEST_F(ItemsApiTest, AnItemFileReplacedByASymbolicLinkIsNotServed) {
  auto ids = Ingest({"biden.jpg"});
  TestSession s = Login("alice");
  const fs::path file = root_ / catalog_->GetItem(ids[0])->path;
  const fs::path secret = root_.parent_path() / ("secret-" + std::to_string(ids[0]) + ".txt");
  ASSERT_TRUE(base::WriteFileDurably(secret, "not for the web").ok());
  fs::remove(file);
  fs::create_symlink(secret, file);
  for (const char* what : {"/original", "/thumbnail?size=160"}) {
    auto r = Get("/api/items/" + std::to_string(ids[0]) + what, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 409) << what;
    EXPECT_EQ(r->body.find("not for the web"), std::string::npos);
    EXPECT_NE(r->body.find("is a symbolic link or lies behind one; links are not served"), std::string::npos)
        << r->body;
  }
  fs::remove(file);
  fs::remove(secret);
}

// A file name in any script is offered for saving as it is stored: the UTF-8 form (filename*) carries it whole,
// percent-encoded; the ASCII form stands in for old clients and holds nothing that could end the quoted value.
TEST(ContentDispositionTest, TheNameWholeInUtf8AndInAsciiForOldClients) {
  EXPECT_EQ(ContentDisposition("Zoë (1) \"x\";.jpg"),
            "inline; filename=\"Zo____1___x__.jpg\"; filename*=UTF-8''Zo%C3%AB%20%281%29%20%22x%22%3B.jpg");
  EXPECT_EQ(ContentDisposition("IMG_0001.jpg"), "inline; filename=\"IMG_0001.jpg\"; filename*=UTF-8''IMG_0001.jpg");
}

TEST_F(ItemsApiTest, OriginalIsOfferedUnderItsOwnNameInAnyScript) {
  fs::path incoming = root_ / "named";
  fs::create_directories(incoming);
  const fs::path input = incoming / "Zoë 🙂 café (1).jpg";
  fs::copy_file(Fixture("biden.jpg"), input);
  auto summary = ingestor_->IngestPaths({input}, pipeline::IngestOptions{});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(summary->items.size(), 1u);
  const int64_t id = summary->items[0].item_id;
  const std::string stored = fs::path(catalog_->GetItem(id)->path).filename().string();
  ASSERT_NE(stored.find("Zoë"), std::string::npos) << stored;
  TestSession s = Login("alice");
  auto r = Get("/api/items/" + std::to_string(id) + "/original", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  // (The test's HTTP client percent-decodes header values as it reads them.)
  const std::string header = r->get_header_value("Content-Disposition");
  EXPECT_EQ(header.substr(header.find("; filename*=UTF-8''") + 19), stored) << header;
}

TEST_F(ItemsApiTest, WebUiIsServedFromTheBinary) {
  auto index = client_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<html"), std::string::npos);
  EXPECT_FALSE(index->get_header_value("ETag").empty());
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  auto missing = client_->Get("/no-such-file.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

// One byte range is served (a download resumed, a seek); a header asking for many (the file built in memory as many
// times over) is refused before any of it is made, for a photo's original as for the page's own files.
TEST_F(ItemsApiTest, OneByteRangeIsServedManyAreRefused) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  const std::string original = "/api/items/" + std::to_string(ids[0]) + "/original";
  auto whole = Get(original, &s);
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200);
  httplib::Headers one = {{"Cookie", s.cookie}, {"Range", "bytes=2-11"}};
  auto part = client_->Get(original, one);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, whole->body.substr(2, 10));
  std::string many = "bytes=0-";
  for (int i = 0; i < 2000; ++i) many += ",0-";
  for (const std::string& path : {original, std::string("/"), std::string("/js/app.js")}) {
    SCOPED_TRACE(path);
    auto refused = client_->Get(path, {{"Cookie", s.cookie}, {"Range", many}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 416);
    EXPECT_LT(refused->body.size(), 1000u);
    EXPECT_NE(refused->body.find("only one byte range per request is served"), std::string::npos) << refused->body;
  }
  auto two = client_->Get("/js/app.js", {{"Range", "bytes=0-1,4-5"}});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 416);
}

// A range is fitted to the file (RFC 9110, 14.4): past the end it ends at the last byte, and the Content-Range says
// so; one that starts past the end, or a suffix of no bytes, is 416 with "bytes */SIZE" and a JSON error; a Range
// header that is not understood is named.
TEST_F(ItemsApiTest, ARangeIsFittedToTheFileOrRefusedWithItsSize) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  const std::string original = "/api/items/" + std::to_string(ids[0]) + "/original";
  const std::string whole = Get(original, &s)->body;
  const size_t size = whole.size();
  auto range = [&](const std::string& value) {
    return client_->Get(original, {{"Cookie", s.cookie}, {"Range", value}});
  };
  auto past = range("bytes=1000-99999999");
  ASSERT_TRUE(past);
  EXPECT_EQ(past->status, 206);
  EXPECT_EQ(past->body, whole.substr(1000));
  EXPECT_EQ(past->get_header_value("Content-Range"), fmt::format("bytes 1000-{}/{}", size - 1, size));
  auto tail = range("bytes=-10");
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, whole.substr(size - 10));
  for (const std::string& outside :
       {std::string("bytes=-0"), fmt::format("bytes={}-", size), std::string("bytes=999999999-")}) {
    SCOPED_TRACE(outside);
    auto refused = range(outside);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 416);
    EXPECT_EQ(refused->get_header_value("Content-Range"), fmt::format("bytes */{}", size));
    EXPECT_EQ(Body(refused)["error"], "range_not_satisfiable");
  }
  auto odd = range("items=0-5");
  EXPECT_EQ(odd->status, 416);
  EXPECT_EQ(Body(odd)["error"], "range_not_satisfiable");
  EXPECT_NE(Body(odd)["message"].get<std::string>().find("the Range header \"items=0-5\" is not understood"),
            std::string::npos);
}

}  // namespace
}  // namespace triage::server
