// Face routing end to end on the committed fixture photos: enrolment, every face rule, learning from review.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

const fs::path kFixtures = fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces";

class FacesRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_ / "in"); }
  // A library with obama and biden enrolled, and the given config overrides.
  fs::path Library(const std::string& name, const json& overrides = json::object()) {
    fs::path lib = dir_ / name;
    InitLibrary(lib, overrides);
    EXPECT_EQ(
        Triage(lib, {"person", "add", "obama", (kFixtures / "obama.jpg").string(), (kFixtures / "obama2.jpg").string()})
            .exit_code,
        0);
    EXPECT_EQ(Triage(lib, {"person", "add", "biden", (kFixtures / "biden2.jpg").string()}).exit_code, 0);
    return lib;
  }
  RunResult Triage(const fs::path& lib, std::vector<std::string> args) {
    args.push_back("--library");
    args.push_back(lib.string());
    return RunTriage(args);
  }
  // Ingests one fixture and returns its decision.
  json Route(const fs::path& lib, const std::string& fixture) {
    RunResult r = Triage(lib, {"ingest", (kFixtures / fixture).string(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.Json()["items"][0];
  }
  TempDir dir_{"faces"};
};

TEST_F(FacesRoutingTest, EveryRouteOfTheSeed) {
  fs::path lib = Library("lib");
  json known = Route(lib, "obama3.jpg");
  EXPECT_EQ(known["path"], "faces/obama/obama3.jpg");
  EXPECT_EQ(known["decision"]["reasons"][0]["code"], "known_person");
  EXPECT_EQ(Route(lib, "biden.jpg")["path"], "faces/biden/biden.jpg");
  json unknown = Route(lib, "Tom_Cruise_avp_2014_4.jpg");
  EXPECT_EQ(unknown["decision"]["category"], "unidentified");
  EXPECT_EQ(unknown["decision"]["reasons"][0]["code"], "unknown_person");
  EXPECT_FALSE(unknown["decision"]["person"].is_null());  // the closest person is suggested
  // `items --person` lists the photos filed under the person, not strangers they are only the nearest to; those
  // are listed with --location review.
  const std::string suggested = unknown["decision"]["person"];
  json filed = Triage(lib, {"items", "--person", suggested, "--json"}).Json();
  ASSERT_EQ(filed.size(), 1u) << filed.dump();
  EXPECT_EQ(filed[0]["location"], "library");
  json waiting = Triage(lib, {"items", "--person", suggested, "--location", "review", "--json"}).Json();
  ASSERT_EQ(waiting.size(), 1u) << waiting.dump();
  EXPECT_EQ(waiting[0]["id"], unknown["item_id"]);
  json group = Route(lib, "vladmandic_sample1.jpg");
  EXPECT_EQ(group["decision"]["category"], "multiple_faces");
  json noface = Route(lib, "skimage_coffee.jpg");
  EXPECT_EQ(noface["decision"]["reasons"][0]["code"], "no_faces_detected");
  json dup = Route(lib, "obama3.jpg");
  EXPECT_EQ(dup["decision"]["category"], "duplicates");
  // explain shows the stored faces.
  json explained = Triage(lib, {"explain", std::to_string(known["item_id"].get<int>()), "--json"}).Json();
  ASSERT_EQ(explained["faces"].size(), 1u);
  EXPECT_EQ(explained["faces"][0]["match"]["person"], "obama");
  EXPECT_EQ(explained["faces"][0]["landmarks"].size(), 68u);
}

// A person enrolled with the CLI while `triage watch` runs is recognised in the next photo, without a restart.
TEST_F(FacesRoutingTest, WatchRecognisesAPersonEnrolledWhileItRuns) {
  const fs::path lib = dir_ / "watched";
  InitLibrary(lib);
  ASSERT_EQ(Triage(lib, {"person", "add", "biden", (kFixtures / "biden2.jpg").string()}).exit_code, 0);
  const fs::path log = dir_ / "watch.log";
  pid_t pid = Start({"watch", "--library", lib.string(), "--debounce-ms", "200", "--max-files", "1"}, log);
  ASSERT_TRUE(WaitForLogLine(log, "watching ", 120'000)) << Slurp(log);
  RunResult added =
      Triage(lib, {"person", "add", "obama", (kFixtures / "obama.jpg").string(), (kFixtures / "obama2.jpg").string()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  ASSERT_TRUE(WaitForLogLine(log, "the enrolled persons changed: 3 reference faces of 2 persons reloaded", 60'000))
      << Slurp(log);
  fs::copy_file(kFixtures / "obama3.jpg", dir_ / "obama3.jpg");
  fs::rename(dir_ / "obama3.jpg", lib / "inbox/obama3.jpg");
  std::optional<int> status = WaitForExit(pid, 120'000);
  ASSERT_TRUE(status) << "watch did not finish: " << Slurp(log);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << Slurp(log);
  EXPECT_TRUE(fs::exists(lib / "faces/obama/obama3.jpg")) << Slurp(log);
}

// Before anyone is enrolled, a face has no nearest person: explain says so rather than showing a distance of 0.
TEST_F(FacesRoutingTest, ExplainSaysNobodyIsEnrolledToCompareWith) {
  const fs::path lib = dir_ / "empty";
  InitLibrary(lib);
  const json item = Route(lib, "biden.jpg");
  EXPECT_EQ(item["decision"]["category"], "unidentified");
  RunResult explained = Triage(lib, {"explain", std::to_string(item["item_id"].get<int>())});
  ASSERT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_NE(explained.out.find("unknown (nobody enrolled to compare with), eye aspect"), std::string::npos)
      << explained.out;
  EXPECT_EQ(explained.out.find("distance 0.000"), std::string::npos) << explained.out;
}

TEST_F(FacesRoutingTest, BlacklistWinsOverWhitelistAndWhitelistFilters) {
  fs::path lib = Library("lists", {{"blacklist", {"obama"}}, {"whitelist", {"obama"}}});
  json black = Route(lib, "obama3.jpg");
  EXPECT_EQ(black["decision"]["category"], "unwanted_person");
  EXPECT_EQ(black["decision"]["reasons"][0]["code"], "blacklisted_person");
  json white = Route(lib, "biden.jpg");
  EXPECT_EQ(white["decision"]["category"], "unidentified");
  EXPECT_EQ(white["decision"]["reasons"][0]["code"], "not_in_whitelist");
}

TEST_F(FacesRoutingTest, ConfidenceBelowTheMinimumGoesToLowConfidence) {
  fs::path lib = Library("strict", {{"thresholds", {{"min_confidence", 0.999}}}});
  json d = Route(lib, "obama3.jpg");
  EXPECT_EQ(d["decision"]["category"], "low_confidence");
  EXPECT_EQ(d["decision"]["person"], "obama");
}

// A reference photo turned by 180 degrees (its orientation lost) shows its face upside down: found weakly and
// described wrongly, such a reference drew the photos of other people to its name. Refused, saying what to do; the
// same photo upright is enrolled.
TEST_F(FacesRoutingTest, EnrolmentRefusesAFaceUpsideDown) {
  fs::path lib = dir_ / "upside_down";
  InitLibrary(lib);
  RunResult turned = Triage(lib, {"person", "add", "obama", (kFixtures / "obama2_upside_down.jpg").string()});
  EXPECT_EQ(turned.exit_code, 2) << turned.out;
  EXPECT_NE(turned.err.find("looks upside down"), std::string::npos) << turned.err;
  EXPECT_NE(turned.err.find("turn the photo upright"), std::string::npos) << turned.err;
  EXPECT_EQ(Triage(lib, {"person", "list", "--json"}).Json().size(), 0u);
  RunResult upright = Triage(lib, {"person", "add", "obama", (kFixtures / "obama2.jpg").string()});
  EXPECT_EQ(upright.exit_code, 0) << upright.err;
}

TEST_F(FacesRoutingTest, EnrolmentRefusesPhotosWithoutExactlyOneFace) {
  fs::path lib = dir_ / "enrol";
  InitLibrary(lib);
  RunResult group = Triage(lib, {"person", "add", "crowd", (kFixtures / "vladmandic_sample1.jpg").string()});
  EXPECT_EQ(group.exit_code, 2);
  EXPECT_NE(group.err.find("exactly one face; found"), std::string::npos) << group.err;
  RunResult none = Triage(lib, {"person", "add", "cup", (kFixtures / "skimage_coffee.jpg").string()});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("found 0"), std::string::npos) << none.err;
  EXPECT_EQ(Triage(lib, {"person", "add", "../../evil", (kFixtures / "obama.jpg").string()}).exit_code, 2);
  // A reference photo that is no image is bad input too (exit 2, naming it), not a failure of the library (4).
  const fs::path text = dir_ / "notes.jpg";
  std::ofstream(text) << "not a photo";
  RunResult junk = Triage(lib, {"person", "add", "ada", text.string()});
  EXPECT_EQ(junk.exit_code, 2) << junk.err;
  EXPECT_NE(junk.err.find(text.string()), std::string::npos) << junk.err;
  EXPECT_EQ(Triage(lib, {"person", "list", "--json"}).Json().size(), 0u);
  // The same photo given twice is one reference.
  RunResult twice = Triage(lib, {"person", "add", "obama", (kFixtures / "obama.jpg").string(),
                                 (kFixtures / "obama.jpg").string(), "--json"});
  ASSERT_EQ(twice.exit_code, 0) << twice.err;
  EXPECT_EQ(twice.Json()["references_added"], 1);
}

// `person add` keeps the name as typed to show the person by; the folder name is made from it.
// A reference photo of somebody already enrolled under another name would teach the library a wrong face: refused,
// naming who it looks like, and nothing is enrolled; --force enrols two people who do look alike.
TEST_F(FacesRoutingTest, EnrolmentRefusesAPhotoOfSomebodyEnrolledUnderAnotherName) {
  fs::path lib = dir_ / "alike";
  InitLibrary(lib);
  ASSERT_EQ(Triage(lib, {"person", "add", "obama", (kFixtures / "obama.jpg").string()}).exit_code, 0);
  RunResult wrong = Triage(lib, {"person", "add", "barack", (kFixtures / "obama2.jpg").string()});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.err;
  EXPECT_NE(wrong.err.find("the face looks like obama"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("nothing was changed"), std::string::npos) << wrong.err;
  EXPECT_EQ(Triage(lib, {"person", "list", "--json"}).Json().size(), 1u);
  ASSERT_EQ(Triage(lib, {"person", "add", "biden", (kFixtures / "biden2.jpg").string()}).exit_code, 0);
  RunResult enrol = Triage(lib, {"person", "enroll", "biden", (kFixtures / "obama3.jpg").string()});
  EXPECT_EQ(enrol.exit_code, 2) << enrol.err;
  EXPECT_NE(enrol.err.find("nearer than biden's own references"), std::string::npos) << enrol.err;
  // More photos of the person themself are welcome; and --force takes the look-alike.
  EXPECT_EQ(Triage(lib, {"person", "enroll", "obama", (kFixtures / "obama3.jpg").string()}).exit_code, 0);
  RunResult forced = Triage(lib, {"person", "add", "barack", (kFixtures / "obama2.jpg").string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

TEST_F(FacesRoutingTest, EnrolmentKeepsTheNameAsTyped) {
  fs::path lib = dir_ / "typed";
  InitLibrary(lib);
  RunResult added = Triage(lib, {"person", "add", "Zoë  Ñúñez-O'Brien", (kFixtures / "obama.jpg").string()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("Zoë Ñúñez-O'Brien (faces/zoe_nunez_obrien/): 1 reference photo enrolled"),
            std::string::npos)
      << added.out;
  RunResult listed = Triage(lib, {"person", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  ASSERT_EQ(listed.Json().size(), 1u);
  EXPECT_EQ(listed.Json()[0]["name"], "zoe_nunez_obrien");
  EXPECT_EQ(listed.Json()[0]["display_name"], "Zoë Ñúñez-O'Brien");
  // More photos under the folder name keep the name as first typed.
  RunResult more = Triage(lib, {"person", "enroll", "zoe_nunez_obrien", (kFixtures / "obama2.jpg").string(), "--json"});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  EXPECT_EQ(more.Json()["person"], "zoe_nunez_obrien");
  EXPECT_EQ(more.Json()["display_name"], "Zoë Ñúñez-O'Brien");
  EXPECT_EQ(Triage(lib, {"person", "list", "--json"}).Json()[0]["display_name"], "Zoë Ñúñez-O'Brien");
  // Her photos are filed under the folder name, and the reason a person reads says her name as written; so does the
  // reason of a stranger whose nearest enrolled face is hers.
  json known = Route(lib, "obama3.jpg");
  EXPECT_EQ(known["path"], "faces/zoe_nunez_obrien/obama3.jpg");
  EXPECT_EQ(known["decision"]["person"], "zoe_nunez_obrien");
  EXPECT_NE(known["decision"]["reasons"][0]["text"].get<std::string>().find("Recognised Zoë Ñúñez-O'Brien with"),
            std::string::npos)
      << known.dump();
  json stranger = Route(lib, "Tom_Cruise_avp_2014_4.jpg");
  ASSERT_EQ(stranger["decision"]["category"], "unidentified") << stranger.dump();
  const std::string why = stranger["decision"]["reasons"][0]["text"];
  EXPECT_NE(why.find("(closest: Zoë Ñúñez-O'Brien, distance "), std::string::npos) << why;
  EXPECT_NE(why.find("; a match is within 0."), std::string::npos) << why;
  RunResult explained = Triage(lib, {"explain", std::to_string(stranger["item_id"].get<int>())});
  EXPECT_NE(explained.out.find("closest: Zoë Ñúñez-O'Brien"), std::string::npos) << explained.out;
}

TEST_F(FacesRoutingTest, ApprovingAnUnknownFaceTeachesTheLibrary) {
  fs::path lib = Library("learn");
  json first = Route(lib, "Tom_Cruise_avp_2014_4.jpg");
  ASSERT_EQ(first["decision"]["category"], "unidentified");
  ASSERT_EQ(
      Triage(lib, {"review", "approve", std::to_string(first["item_id"].get<int>()), "--person", "tom"}).exit_code, 0);
  json persons = Triage(lib, {"person", "list", "--json"}).Json();
  bool learnt = false;
  for (const auto& p : persons) learnt |= p["name"] == "tom" && p["references"] == 1;
  EXPECT_TRUE(learnt) << persons.dump();
  // The same face again (re-encoded smaller, so not an exact duplicate) is now recognised... as a near duplicate
  // first; with near-duplicate checks off it is sorted to tom.
  fs::path lib2 = lib;
  json doc = json::parse(Slurp(lib2 / "triage.json"));
  doc["review_categories"]["near_duplicates"] = false;
  doc["deduplication"]["check_hash"] = false;
  std::ofstream(lib2 / "triage.json") << doc.dump();
  json again = Route(lib2, "Tom_Cruise_avp_2014_4.jpg");
  EXPECT_EQ(again["path"], "faces/tom/Tom_Cruise_avp_2014_4_1.jpg");
}

TEST_F(FacesRoutingTest, EnrolmentKeepsTheFaceCutOutOfEachReferencePhoto) {
  fs::path lib = Library("crops");  // three reference photos: obama twice, biden once
  std::vector<std::string> crops;
  for (const auto& e : fs::directory_iterator(lib / ".triage/references")) {
    crops.push_back(e.path().filename().string());
    const std::string bytes = Slurp(e.path());
    ASSERT_GT(bytes.size(), 1000u) << e.path();
    EXPECT_EQ(bytes.substr(0, 3), std::string("\xff\xd8\xff")) << "a JPEG: " << e.path();
  }
  std::sort(crops.begin(), crops.end());
  EXPECT_EQ(crops, (std::vector<std::string>{"1.jpg", "2.jpg", "3.jpg"}));
}

TEST_F(FacesRoutingTest, FacesInNoClusterAreCountedUntilTheirPhotoGoesToTheTrash) {
  fs::path lib = Library("unclustered");
  json unknown = Route(lib, "Tom_Cruise_avp_2014_4.jpg");
  ASSERT_EQ(unknown["decision"]["category"], "unidentified");
  RunResult listed = Triage(lib, {"faces", "clusters"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("1 face in no cluster yet: a cluster forms once the library holds 3 similar faces"),
            std::string::npos)
      << listed.out;
  EXPECT_EQ(Triage(lib, {"faces", "clusters", "--json"}).Json()["unclustered"], 1);
  ASSERT_EQ(Triage(lib, {"review", "reject", std::to_string(unknown["item_id"].get<int>())}).exit_code, 0);
  EXPECT_EQ(Triage(lib, {"faces", "clusters", "--json"}).Json()["unclustered"], 0) << "its photo is in the trash";
  EXPECT_EQ(Triage(lib, {"faces", "clusters"}).out.find("in no cluster"), std::string::npos);
}

TEST_F(FacesRoutingTest, NamingEachFaceOfAGroupPhotoFilesIt) {
  fs::path lib = Library("group");
  json group = Route(lib, "vladmandic_sample1.jpg");
  ASSERT_EQ(group["decision"]["category"], "multiple_faces");
  const std::string id = std::to_string(group["item_id"].get<int>());
  const size_t faces = Triage(lib, {"explain", id, "--json"}).Json()["faces"].size();
  ASSERT_GE(faces, 2u);
  // Bad input: a person nobody enrolled (exit 3, named), a face the photo does not have (3), neither label (2).
  RunResult unknown = Triage(lib, {"review", "name-face", id, "0", "zed"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("no enrolled person \"zed\""), std::string::npos) << unknown.err;
  EXPECT_EQ(Triage(lib, {"review", "name-face", id, std::to_string(faces), "obama"}).exit_code, 3);
  EXPECT_EQ(Triage(lib, {"review", "name-face", id, "0"}).exit_code, 2);
  json first = Triage(lib, {"review", "name-face", id, "0", "obama", "--json"}).Json();
  EXPECT_EQ(first["open"], faces - 1);
  EXPECT_FALSE(first["filed"].get<bool>());
  json last;
  for (size_t f = 1; f < faces; ++f) {
    RunResult r = Triage(lib, {"review", "name-face", id, std::to_string(f), "--untracked", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    last = r.Json();
  }
  EXPECT_TRUE(last["filed"].get<bool>());
  EXPECT_EQ(last["item"]["path"], "faces/obama/vladmandic_sample1.jpg");
  EXPECT_TRUE(fs::exists(lib / "faces/obama/vladmandic_sample1.jpg"));
}

// A changed policy does not move a photo whose faces a person has begun naming: the policy knows only the faces found
// at intake and would drop the names given (or file the photo under a person the reviewer gave to another face).
TEST_F(FacesRoutingTest, ApplyPolicyLeavesAPhotoHalfNamedByAPerson) {
  fs::path lib = Library("half-named");
  json group = Route(lib, "vladmandic_sample1.jpg");
  ASSERT_EQ(group["decision"]["category"], "multiple_faces");
  const std::string id = std::to_string(group["item_id"].get<int>());
  ASSERT_EQ(Triage(lib, {"review", "name-face", id, "1", "obama"}).exit_code, 0);
  json doc = json::parse(Slurp(lib / "triage.json"));
  doc["thresholds"]["max_faces_per_image"] = 20;
  std::ofstream(lib / "triage.json") << doc.dump();
  json explained = Triage(lib, {"explain", id, "--json"}).Json();
  ASSERT_EQ(explained["changed"], true) << "the new policy would move it: " << explained["replayed"].dump();
  RunResult applied = Triage(lib, {"apply-policy"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_NE(applied.out.find("1 item left where it is: a person has begun naming their faces"), std::string::npos)
      << applied.out;
  json report = Triage(lib, {"apply-policy", "--json"}).Json();
  EXPECT_EQ(report["moved"], 0);
  EXPECT_EQ(report["left_alone"], 1);
  EXPECT_EQ(Triage(lib, {"explain", id, "--json"}).Json()["item"]["path"], group["path"]);
  EXPECT_TRUE(fs::exists(lib / group["path"].get<std::string>()));
}

TEST_F(FacesRoutingTest, ModelsVerify) {
  fs::path lib = dir_ / "models";
  InitLibrary(lib);
  RunResult r = Triage(lib, {"models", "verify", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(r.Json()["ok"].get<bool>());
}

}  // namespace
}  // namespace triage::e2e
