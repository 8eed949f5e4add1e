// person add | enroll | list | remove | set, and models verify.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "base/clock.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "faces/face_matcher.h"
#include "faces/model_check.h"
#include "model/json.h"
#include "vision/decode.h"

namespace triage::cli {
namespace {

using nlohmann::json;

// Embeddings of the one face in each photo; refuses the whole set if any photo is not usable.
base::Result<std::vector<review::NewReference>> ReferenceEmbeddings(Library& lib,
                                                                    const std::vector<std::string>& photos) {
  TRIAGE_RETURN_IF_ERROR(lib.LoadFaces());
  if (!lib.faces) return base::Status::InvalidArgument("face analysis is off in this library (analysis.faces)");
  auto config = lib.config();
  std::vector<review::NewReference> out;
  for (const auto& photo : photos) {
    auto decoded = vision::DecodeImage(photo, {config->analysis.decode_max_side_px, config->analysis.max_pixels});
    if (!decoded.ok()) {  // named once: a message that starts with the photo's name already says which it is
      // A reference photo that is no image is bad input (exit 2), as a photo without one face is.
      const base::Status st = decoded.status().code() == base::Code::kCorrupt
                                  ? base::Status::InvalidArgument(decoded.status().message())
                                  : decoded.status();
      const bool named = st.message().rfind(photo, 0) == 0;
      return named ? st : st.WithContext(photo);
    }
    auto face = lib.faces->SingleFace(decoded->image, *config);
    if (!face.ok()) return face.status().WithContext(photo);
    // The box in the photo's own pixels (as the pipeline stores faces), for the face's picture.
    const float to_full = decoded->image.width > 0 ? static_cast<float>(decoded->info.width) / decoded->image.width : 1;
    const model::Box box{face->box.x * to_full, face->box.y * to_full, face->box.width * to_full,
                         face->box.height * to_full};
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(photo, ec);
    out.push_back({face->embedding, ec ? photo : absolute.lexically_normal().string(), box});
  }
  return out;
}

// A reference photo of somebody else teaches the library a wrong face: every later photo of that other person is then
// filed under this name. A face within the match distance of another enrolled person (and nearer to them than to
// this person's own references) is refused unless `force` (two people who do look alike); a face far from all of
// this person's references is enrolled with a warning.
base::Status CheckReferencesAreThisPerson(Library& lib, const std::string& name,
                                          const std::vector<review::NewReference>& references, bool force) {
  auto all = lib.catalog->AllReferences();
  if (!all.ok()) return all.status();
  const double within = lib.config()->policy.match_distance;
  std::vector<faces::Reference> own, others;
  for (const auto& r : *all) (r.person == name ? own : others).push_back({r.person, r.embedding});
  for (size_t i = 0; i < references.size(); ++i) {
    // Earlier photos of this same command count as this person's (and as nobody else's).
    std::vector<faces::Reference> mine = own;
    for (size_t j = 0; j < i; ++j) mine.push_back({name, references[j].embedding});
    const model::FaceMatch other = faces::NearestPersons(references[i].embedding, others, 1);
    const model::FaceMatch self = faces::NearestPersons(references[i].embedding, mine, 1);
    const bool like_other =
        !other.person.empty() && other.distance <= within && (self.person.empty() || other.distance < self.distance);
    if (like_other && !force) {
      return base::Status::InvalidArgument(fmt::format(
          "{}: the face looks like {} (distance {:.2f}; a match is within {:.2f}){}, so it was not enrolled as {}: "
          "nothing was changed. Give a photo of {}, or add --force if they are two people who look alike",
          references[i].source, other.person, other.distance, within,
          self.person.empty() ? "" : fmt::format(", nearer than {}'s own references ({:.2f})", name, self.distance),
          name, name));
    }
    if (!self.person.empty() && self.distance > within) {
      fmt::print(stderr,
                 "warning: {}: the face is far from {}'s other references (distance {:.2f}; a match is within "
                 "{:.2f}); enrolled anyway\n",
                 base::ForTerminal(references[i].source), name, self.distance, within);
    }
  }
  return base::Status::Ok();
}

int AddOrEnroll(CommandContext& ctx, const std::string& raw_name, const std::vector<std::string>& photos, bool create,
                const std::string& list, bool force) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto name = config::SanitizePersonName(raw_name);
  if (!name.ok()) return ctx.Fail(name.status());
  // A photo given twice is one reference.
  std::vector<std::string> unique;
  std::vector<std::filesystem::path> seen;
  for (const std::string& photo : photos) {
    std::error_code ec;
    std::filesystem::path key = std::filesystem::weakly_canonical(photo, ec);
    if (ec) key = photo;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    unique.push_back(photo);
  }
  auto references = ReferenceEmbeddings(*lib, unique);
  if (!references.ok()) return ctx.Fail(references.status());
  if (auto checked = CheckReferencesAreThisPerson(*lib, *name, *references, force); !checked.ok()) {
    return ctx.Fail(checked);
  }
  const std::string actor = CommandContext::Actor();
  // The name as typed: a new person keeps it to be shown by (the folder name is made from it).
  base::Status st = lib->persons->Enroll(raw_name, *references, create, actor, base::UnixNow());
  if (st.ok() && !list.empty()) {
    auto status = review::ParseListStatus(list);
    st = status.ok() ? lib->persons->SetListStatus(*name, *status, actor, base::UnixNow()) : status.status();
  }
  if (!st.ok()) return ctx.Fail(st);
  std::string shown = *name;  // as the catalog keeps it to show
  if (auto persons = lib->catalog->ListPersons(); persons.ok()) {
    for (const auto& p : *persons) {
      if (p.name == *name) shown = p.shown_name();
    }
  }
  if (ctx.json) {
    ctx.PrintJson({{"person", *name}, {"display_name", shown}, {"references_added", unique.size()}});
  } else if (shown != *name) {
    fmt::print("{} (faces/{}/): {} enrolled\n", shown, *name, Counted(unique.size(), "reference photo"));
  } else {
    fmt::print("{}: {} enrolled\n", *name, Counted(unique.size(), "reference photo"));
  }
  return kExitOk;
}

int ListPersons(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto persons = lib->catalog->ListPersons();
  if (!persons.ok()) return ctx.Fail(persons.status());
  auto config = lib->config();
  json out = json::array();
  for (const auto& p : *persons) {
    json j = p;
    const char* list = review::ListStatusName(review::ListStatusOf(*config, p.name));
    j["list"] = list;
    out.push_back(j);
    if (!ctx.json) {
      fmt::print("{:<24} {:>14}  {:<9}  {}\n", base::ForTerminal(p.name), Counted(p.references, "reference"), list,
                 p.display_name.empty() ? "" : fmt::format("shown as \"{}\"", base::ForTerminal(p.display_name)));
    }
  }
  if (ctx.json) {
    ctx.PrintJson(out);
  } else if (persons->empty()) {
    fmt::print("nobody is enrolled yet: triage person add NAME PHOTO... (each photo showing that one face)\n");
  }
  return kExitOk;
}

int VerifyModels(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  faces::FaceOptions o;
  o.model_dir = lib->model_dir;
  o.detector = lib->config()->analysis.detector;
  auto checks = faces::VerifyModels(o);
  bool ok = std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.ok; });
  if (ctx.json) {
    json out = json::array();
    for (const auto& c : checks) {
      out.push_back({{"name", c.name}, {"path", c.path}, {"sha256", c.sha256}, {"ok", c.ok}, {"message", c.message}});
    }
    ctx.PrintJson({{"ok", ok}, {"models", out}});
  } else {
    for (const auto& c : checks)
      fmt::print("{:<28} {:<6} {}\n  {}\n", c.name, c.ok ? "ok" : "FAILED", c.message, c.path);
  }
  ctx.exit_code = ok ? kExitOk : kExitFailure;
  return ctx.exit_code;
}

}  // namespace

void AddPersonCommands(CLI::App& app, CommandContext& ctx) {
  auto* person = app.add_subcommand("person", "enrolled persons and their reference photos");
  person->require_subcommand(1);
  struct Args {
    std::string name;
    std::vector<std::string> photos;
    bool whitelist = false, blacklist = false, neutral = false, force = false;
    std::optional<std::string> display_name;
    std::string List() const { return whitelist ? "whitelist" : blacklist ? "blacklist" : neutral ? "neutral" : ""; }
  };
  auto a = std::make_shared<Args>();
  auto add_list_flags = [a](CLI::App* cmd, bool neutral) {
    auto* w = cmd->add_flag("--whitelist", a->whitelist, "put the person on the whitelist");
    auto* b = cmd->add_flag("--blacklist", a->blacklist, "put the person on the blacklist");
    w->excludes(b);
    if (neutral) cmd->add_flag("--neutral", a->neutral, "on neither list")->excludes(w)->excludes(b);
  };
  auto* add = person->add_subcommand("add", "enrol a new person from photos with exactly one face each");
  add->add_option("name", a->name, "name")->required();
  add->add_option("photos", a->photos, "reference photos")->required()->check(CLI::ExistingFile);
  add_list_flags(add, false);
  add->add_flag("--json", ctx.json, "machine-readable output");
  add->add_flag("--force", a->force, "enrol a face that looks like another enrolled person (two people alike)");
  add->callback([&ctx, a] { AddOrEnroll(ctx, a->name, a->photos, true, a->List(), a->force); });

  auto* enroll = person->add_subcommand("enroll", "add reference photos to an enrolled person");
  enroll->add_option("name", a->name, "name")->required();
  enroll->add_option("photos", a->photos, "reference photos")->required()->check(CLI::ExistingFile);
  enroll->add_flag("--json", ctx.json, "machine-readable output");
  enroll->add_flag("--force", a->force, "enrol a face that looks like another enrolled person (two people alike)");
  enroll->callback([&ctx, a] { AddOrEnroll(ctx, a->name, a->photos, false, "", a->force); });

  auto* list = person->add_subcommand("list", "enrolled persons");
  list->add_flag("--json", ctx.json, "machine-readable output");
  list->callback([&ctx] { ListPersons(ctx); });

  auto* remove = person->add_subcommand("remove", "forget a person and their references");
  remove->add_option("name", a->name, "name")->required();
  remove->add_flag("--json", ctx.json, "machine-readable output");
  remove->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    auto name = config::SanitizePersonName(a->name);
    if (!name.ok()) return void(ctx.Fail(name.status()));
    base::Status st = lib->persons->Remove(*name, CommandContext::Actor(), base::UnixNow());
    if (!st.ok()) return void(ctx.Fail(st));
    if (ctx.json)
      ctx.PrintJson({{"person", *name}, {"removed", true}});
    else
      fmt::print("{} removed (images already sorted stay where they are)\n", *name);
  });

  auto* set = person->add_subcommand(
      "set", "put a person on the whitelist, the blacklist, or neither; or change how their name is shown");
  set->add_option("name", a->name, "name")->required();
  add_list_flags(set, true);
  set->add_option("--display-name", a->display_name,
                  "the name as it is shown, e.g. \"Bernadette Rostenkowski\" for bernadette_rostenkowski (\"\": the "
                  "folder name)");
  set->add_flag("--json", ctx.json, "machine-readable output");
  set->callback([&ctx, a] {
    if (a->List().empty() && !a->display_name) {
      return void(ctx.Fail(base::Status::InvalidArgument("say --whitelist, --blacklist, --neutral or --display-name")));
    }
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    auto name = config::SanitizePersonName(a->name);
    if (!name.ok()) return void(ctx.Fail(name.status()));
    json done = {{"person", *name}};  // what was set, for --json
    if (a->display_name) {
      auto person = lib->persons->SetDisplayName(*name, *a->display_name, CommandContext::Actor(), base::UnixNow());
      if (!person.ok()) return void(ctx.Fail(person.status()));
      done["display_name"] = person->shown_name();
      if (!ctx.json) fmt::print("{}: shown as \"{}\"\n", *name, base::ForTerminal(person->shown_name()));
      if (a->List().empty()) {
        if (ctx.json) ctx.PrintJson(done);
        return;
      }
    }
    auto status = review::ParseListStatus(a->List());
    base::Status st = status.ok()
                          ? lib->persons->SetListStatus(*name, *status, CommandContext::Actor(), base::UnixNow())
                          : status.status();
    if (!st.ok()) return void(ctx.Fail(st));
    done["list"] = a->List();
    if (ctx.json)
      ctx.PrintJson(done);
    else
      fmt::print("{}: {}\n", *name, a->List());
    // Allowed (a list may be made before enrolling), but a typo on the whitelist sends every known person to review.
    auto persons = lib->catalog->ListPersons();
    if (a->List() != "neutral" && persons.ok() &&
        std::none_of(persons->begin(), persons->end(), [&](const model::PersonRecord& p) { return p.name == *name; })) {
      fmt::print(
          stderr, "triage: warning: nobody named {} is enrolled yet{}\n", base::ForTerminal(*name),
          a->List() == "whitelist" ? "; while the whitelist names people, photos of anyone else go to review" : "");
    }
  });

  auto* models = app.add_subcommand("models", "face model files");
  models->require_subcommand(1);
  auto* verify = models->add_subcommand("verify", "check every model file against its pinned SHA-256");
  verify->add_flag("--json", ctx.json, "machine-readable output");
  verify->callback([&ctx] { VerifyModels(ctx); });
}

}  // namespace triage::cli
