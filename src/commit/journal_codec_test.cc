// Specification of the journal's encoding: any byte string in a name or path comes back exactly.
#include <gtest/gtest.h>

#include "commit/journal.h"

namespace triage::commit {
namespace {

Intent IntentWithNames(const std::string& name) {
  Intent in;
  in.kind = Intent::Kind::kCommit;
  in.id = "abc";
  in.from = fs::path("/in") / name;
  in.to = fs::path("/lib/review/unidentified") / name;
  catalog::CatalogChange change;
  change.item.original_name = name;
  change.item.original_path = in.from.string();
  change.item.path = "review/unidentified/" + name;
  change.item.reasons.push_back({"unreadable", "cannot read " + name});
  change.reason = name;
  in.change = change;
  return in;
}

TEST(JournalCodecTest, NamesThatAreNotUtf8RoundTripByteForByte) {
  for (std::string name : {std::string("\xFF\xFE.jpg"), std::string("a\xC3(b.jpg"), std::string("caf\xC3\xA9.jpg"),
                           std::string("x\x80\x81\x82", 4) + std::string(1, '\0') + "y"}) {
    std::string text = EncodeIntent(IntentWithNames(name));
    auto back = DecodeIntent(text);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->from, fs::path("/in") / name);
    EXPECT_EQ(back->to, fs::path("/lib/review/unidentified") / name);
    EXPECT_EQ(back->change->item.original_name, name);
    EXPECT_EQ(back->change->item.path, "review/unidentified/" + name);
    EXPECT_EQ(back->change->item.reasons.at(0).text, "cannot read " + name);
    EXPECT_EQ(back->change->reason, name);
  }
}

TEST(JournalCodecTest, ABadBytesValueIsCorruptNotACrash) {
  std::string text = EncodeIntent(IntentWithNames("\xFF.jpg"));
  size_t at = text.find("\"ff2e6a7067\"");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 12, "\"zz\"");
  EXPECT_EQ(DecodeIntent(text).status().code(), base::Code::kCorrupt);
}

TEST(JournalCodecTest, AGroupEntryHoldsEveryIntentInOrderAndASingleEntryReadsAsOne) {
  Intent a = IntentWithNames("\xFF.jpg"), b = IntentWithNames("b.jpg");
  b.id = "def";
  auto group = DecodeEntry(EncodeGroup({a, b}));
  ASSERT_TRUE(group.ok()) << group.status().message();
  ASSERT_EQ(group->size(), 2u);
  EXPECT_EQ((*group)[0].id, "abc");
  EXPECT_EQ((*group)[0].to, fs::path("/lib/review/unidentified/\xFF.jpg"));
  EXPECT_EQ((*group)[1].id, "def");
  EXPECT_EQ((*group)[1].change->item.path, "review/unidentified/b.jpg");
  auto single = DecodeEntry(EncodeIntent(a));
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ(single->front().from, fs::path("/in/\xFF.jpg"));
  EXPECT_EQ(DecodeEntry("{\"group\": [{\"kind\": 1}]}").status().code(), base::Code::kCorrupt);  // torn or foreign
}

TEST(JournalCodecTest, TheNearDuplicateSignatureRoundTrips) {
  // Every length modulo three (base64's padding), every byte value.
  for (size_t size : {1u, 2u, 3u, 5u, 256u, 4869u}) {
    Intent in = IntentWithNames("a.jpg");
    for (size_t i = 0; i < size; ++i)
      in.change->item.fingerprint.signature.push_back(static_cast<uint8_t>(i * 37 + 11));
    const std::string text = EncodeIntent(in);
    EXPECT_EQ(text.find("\"signature\""), std::string::npos) << "written as base64 only";
    auto back = DecodeIntent(text);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->change->item.fingerprint.signature, in.change->item.fingerprint.signature) << size;
  }
  // An intent written before signatures existed decodes with none.
  std::string text = EncodeIntent(IntentWithNames("b.jpg"));
  const std::string empty = "\"signature_b64\":\"\"";
  ASSERT_NE(text.find(empty), std::string::npos);
  auto none = DecodeIntent(text);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->change->item.fingerprint.signature.empty());
  std::string without = text;
  without.replace(without.find(empty), empty.size() + 1, "");  // the key and its comma
  auto old = DecodeIntent(without);
  ASSERT_TRUE(old.ok()) << without;
  EXPECT_TRUE(old->change->item.fingerprint.signature.empty());
  // Entries written before base64 carry the signature as hex, and still replay it.
  std::string hex = text;
  hex.replace(hex.find(empty), empty.size(), "\"signature\":\"00017f80ff\"");
  auto from_hex = DecodeIntent(hex);
  ASSERT_TRUE(from_hex.ok());
  EXPECT_EQ(from_hex->change->item.fingerprint.signature, (std::vector<uint8_t>{0, 1, 0x7F, 0x80, 0xFF}));
  // A signature that is not base64 (or not hex) is dropped: the item is stored without one, as before signatures.
  for (const char* bad : {"\"signature_b64\":\"AAA\"", "\"signature_b64\":\"A*AA\"", "\"signature\":\"0g\""}) {
    std::string damaged = text;
    damaged.replace(damaged.find(empty), empty.size(), bad);
    auto read = DecodeIntent(damaged);
    ASSERT_TRUE(read.ok()) << bad;
    EXPECT_TRUE(read->change->item.fingerprint.signature.empty()) << bad;
  }
}

TEST(JournalCodecTest, AnUndoneDecisionKeepsItsReviewEntryAndReferenceChanges) {
  Intent in = IntentWithNames("a.jpg");
  in.change->removed_references = {7, 9};
  in.change->references.push_back({42, "penny", {0.5f, -1.0f}, "item:3"});
  in.change->review_reason = "The face matches nobody enrolled.";
  in.change->review_code = "no_match";
  auto back = DecodeIntent(EncodeIntent(in));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->change->removed_references, (std::vector<int64_t>{7, 9}));
  ASSERT_EQ(back->change->references.size(), 1u);
  EXPECT_EQ(back->change->references[0].id, 42);
  EXPECT_EQ(back->change->references[0].embedding, (std::vector<float>{0.5f, -1.0f}));
  EXPECT_EQ(back->change->review_reason, "The face matches nobody enrolled.");
  EXPECT_EQ(back->change->review_code, "no_match");
  // An entry written before undo existed has none of them.
  std::string text = EncodeIntent(IntentWithNames("b.jpg"));
  for (const char* key : {",\"removed_references\":[]", ",\"review_reason\":\"\"", ",\"review_code\":\"\""}) {
    size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    text.erase(at, std::string(key).size());
  }
  auto old = DecodeIntent(text);
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_TRUE(old->change->removed_references.empty());
  EXPECT_TRUE(old->change->review_code.empty());
}

TEST(JournalCodecTest, FaceLabelsTravelWithTheChange) {
  Intent in = IntentWithNames("a.jpg");
  in.change->face_labels = {{0, {"penny", false}}, {2, {"", true}}};
  auto back = DecodeIntent(EncodeIntent(in));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->change->face_labels.size(), 2u);
  EXPECT_EQ(back->change->face_labels[0].first, 0);
  EXPECT_EQ(back->change->face_labels[0].second, (model::FaceLabel{"penny", false}));
  EXPECT_EQ(back->change->face_labels[1].first, 2);
  EXPECT_TRUE(back->change->face_labels[1].second.untracked);
  // Without labels the entry has no key for them, as entries written before per-face naming.
  EXPECT_EQ(EncodeIntent(IntentWithNames("b.jpg")).find("face_labels"), std::string::npos);
}

TEST(JournalCodecTest, AReplacementRoundTripsWithBothMoves) {
  Intent in;
  in.kind = Intent::Kind::kReplace;
  in.id = "r1";
  in.from = "/lib/faces/ada/a.jpg";
  in.to = "/lib/.triage/archive/a.jpg";
  in.incoming_from = "/lib/review/near_duplicates/b\xFF.jpg";
  in.incoming_to = "/lib/faces/ada/b\xFF.jpg";
  in.replacement = catalog::Replacement{"r1",
                                        7,
                                        "approved",
                                        {1, ".triage/archive/a.jpg", "archive", "ada"},
                                        catalog::ItemPlacement{2, "faces/ada/b\xFF.jpg", "library", "ada"},
                                        "bob",
                                        "sharper",
                                        "auto_approve_threshold",
                                        99};
  auto back = DecodeIntent(EncodeIntent(in));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->kind, Intent::Kind::kReplace);
  EXPECT_EQ(back->incoming_from, in.incoming_from);
  EXPECT_EQ(back->incoming_to, in.incoming_to);
  ASSERT_TRUE(back->replacement.has_value());
  EXPECT_EQ(back->replacement->proposal_id, 7);
  EXPECT_EQ(back->replacement->outgoing.location, "archive");
  EXPECT_EQ(back->replacement->incoming->path, "faces/ada/b\xFF.jpg");
  EXPECT_EQ(back->replacement->rule, "auto_approve_threshold");
  in.replacement->incoming.reset();  // a removal has no incoming image
  EXPECT_FALSE(DecodeIntent(EncodeIntent(in))->replacement->incoming.has_value());
}

}  // namespace
}  // namespace triage::commit
