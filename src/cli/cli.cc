// The `triage` command line: global options, subcommands, errors turned into messages and exit codes.
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/library.h"

namespace triage::cli {

int ExitCodeFor(const base::Status& status) {
  switch (status.code()) {
    case base::Code::kOk:
      return kExitOk;
    case base::Code::kInvalidArgument:
    case base::Code::kAlreadyExists:
      return kExitUsage;
    case base::Code::kNotFound:
      return kExitNotFound;
    // Nothing failed and nothing was changed: the request no longer fits the library (the original of a copy is in
    // the trash, a file was moved away by hand, a lease is held). A script tells this from a broken disk or catalog.
    case base::Code::kConflict:
      return kExitConflict;
    default:
      return kExitFailure;
  }
}

namespace {

namespace fs = std::filesystem;

// The library the working directory lies in (the nearest folder upward holding a triage.json), as git finds its
// repository; empty when there is none.
std::string LibraryAroundWorkingDirectory() {
  std::error_code ec;
  fs::path dir = fs::current_path(ec);
  if (ec) return {};
  for (; !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "triage.json", ec)) return dir.string();
    if (dir == dir.root_path()) break;
  }
  return {};
}

}  // namespace

std::unique_ptr<Library> CommandContext::OpenOrReport() {
  if (library.empty()) library = LibraryAroundWorkingDirectory();
  if (library.empty()) {
    Fail(base::Status::InvalidArgument(
        "no library given: use --library DIR, set TRIAGE_LIBRARY, or run the command inside a library's folder"));
    return nullptr;
  }
  if (!catalog_url.empty()) {
    base::Status url = config::CheckCatalogUrl(catalog_url);
    if (!url.ok()) {
      Fail(url);
      return nullptr;
    }
    // `--catalog sqlite:PATH` names a catalog that is there: opening a file that is not would create an empty catalog,
    // and an ingest would file photos that the library's own catalog never learns of.
    const fs::path file = config::SqliteCatalogFile(catalog_url, fs::absolute(library));
    std::error_code ec;
    if (!may_create_catalog && catalog_url != "sqlite:" && !file.empty() && !fs::exists(file, ec)) {
      Fail(base::Status::NotFound(
          fmt::format("{}{}: there is no catalog at {} (`triage db copy --from sqlite: --to {}` makes one)",
                      catalog_named_by == "--catalog" ? "--catalog " : catalog_named_by + "=", catalog_url,
                      file.string(), catalog_url)));
      return nullptr;
    }
  }
  if (base::Status there = CatalogIsThere(); !there.ok()) {
    Fail(there);
    return nullptr;
  }
  auto lib = open(library, catalog_url);
  if (!lib.ok()) {
    Fail(lib.status());
    return nullptr;
  }
  // An interrupted run whose journal entries could not be settled now (its catalog write failed again: a full disk, a
  // catalog out of reach) keeps its files where they are; said once here, or it would pass unnoticed.
  const std::vector<std::string>& unsettled = (*lib)->recovered.unsettled;
  if (!reports_recovery && !unsettled.empty()) {
    fmt::print(
        stderr,
        "triage: warning: an interrupted run left {} that could not be settled now: {}{}; its files stay where "
        "they are, and `triage recover` settles {} once that is fixed\n",
        unsettled.size() == 1 ? std::string("a journal entry") : fmt::format("{} journal entries", unsettled.size()),
        base::ForTerminal(unsettled.front()), unsettled.size() > 1 ? " (and more)" : "",
        unsettled.size() == 1 ? "it" : "them");
  }
  return std::move(*lib);
}

// The library's own SQLite catalog deleted or moved away (a backup restored with `mv`, a slip of `rm`): opening it
// would make an empty one, and the library's photos would be as unknown to triage as its users. A library that has
// been used (its journal folder is there) and whose catalog is missing is refused; `init` alone makes a catalog.
base::Status CommandContext::CatalogIsThere() const {
  if (may_create_catalog || !catalog_url.empty()) return base::Status::Ok();  // --catalog is checked above
  const fs::path root = fs::absolute(library);
  auto config = config::LoadConfig(root);
  if (!config.ok()) return base::Status::Ok();  // opening the library names what is wrong with triage.json
  const std::string& url = config->catalog.url;
  std::error_code ec;
  if (url.rfind("sqlite:", 0) != 0 || !fs::is_directory(config->StateDir() / "journal", ec)) {
    return base::Status::Ok();  // another kind of catalog, or a library init has not finished making
  }
  const fs::path file = config::SqliteCatalogFile(url, root);
  if (file.empty() || fs::exists(file, ec)) return base::Status::Ok();
  // The file gone, or catalog.url changed to name one that is not there yet (a typo, a move half done): either way
  // the library's items are elsewhere.
  return base::Status::NotFound(fmt::format(
      "the catalog {} is missing, though this library has been used: if catalog.url in {} was changed, set it back "
      "to where the catalog is (or copy the catalog there first); if the file was deleted, restore it from a backup "
      "(with its -wal file, if any). Nothing was changed. To start over with an empty catalog, move {} aside and run "
      "`triage init` in a new folder",
      file.string(), (root / "triage.json").string(), config->StateDir().string()));
}

int CommandContext::Fail(const base::Status& status) {
  exit_code = ExitCodeFor(status);
  if (json) {
    PrintJson({{"error", base::CodeName(status.code())}, {"message", status.message()}});
  } else {
    fmt::print(stderr, "triage: {}\n", base::ForTerminal(status.message(), true));
  }
  return exit_code;
}

// Who ran the command, for the audit log: $USER, else the account of the process's user id (a service or a container
// often runs without $USER), else that id.
std::string CommandContext::Actor() {
  const char* user = std::getenv("USER");
  if (user && *user) return fmt::format("cli:{}", user);
  const uid_t uid = ::getuid();
  if (const passwd* account = ::getpwuid(uid); account && account->pw_name && *account->pw_name)
    return fmt::format("cli:{}", account->pw_name);
  return fmt::format("cli:uid{}", uid);
}

void CommandContext::PrintJson(const nlohmann::json& doc) {
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void CommandContext::PrintJsonLine(const nlohmann::json& doc) {
  std::cout << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

namespace {

// The words that name a command below triage, e.g. "review approve".
std::string CommandPath(const CLI::App* at) {
  std::string path;
  for (; at != nullptr && at->get_parent() != nullptr; at = at->get_parent()) {
    path = path.empty() ? at->get_name() : at->get_name() + " " + path;
  }
  return path;
}

// The deepest command the words given name (`app` itself for none).
CLI::App* CommandGiven(CLI::App& app) {
  CLI::App* at = &app;
  for (std::vector<CLI::App*> parsed = at->get_subcommands(); !parsed.empty(); parsed = at->get_subcommands()) {
    at = parsed.front();
  }
  return at;
}

// When a command needs a subcommand and the word given is none of them, or none is given, CLI11 only says "A
// subcommand is required": this names the word and the commands there are ("unknown command "ingset" for triage; the
// commands are: ...", "proposals needs a command: list, show, ..."). Empty when the failure is something else.
std::string UnknownCommand(CLI::App& app) {
  CLI::App* at = CommandGiven(app);
  std::string word;
  // The word is left over at the command that needed a subcommand, or (with fallthrough) at the top.
  std::vector<std::string> rest = at->remaining();
  if (rest.empty()) rest = app.remaining(true);
  for (const std::string& arg : rest) {
    if (!arg.empty() && arg.front() != '-') {
      word = arg;
      break;
    }
  }
  std::string names;
  for (const CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  const std::string where = at == &app ? "triage" : "triage " + CommandPath(at);
  if (word.empty()) {
    // A group of commands given without one of them (`triage proposals`): name them rather than CLI11's bare "A
    // subcommand is required".
    if (names.empty() || at->get_require_subcommand_min() == 0) return "";
    const std::string what = at == &app ? "a command is needed" : at->get_name() + " needs a command";
    return fmt::format("{}: {} (see {} --help)", what, names, where);
  }
  return fmt::format("unknown command \"{}\" for {}; the commands are: {} (see {} --help)", word, where, names, where);
}

// CLI11 says only "inputs is required" when a command's argument is missing: this names the command, what the
// argument is (its description) and where to read more ("ingest needs inputs (files, folders or URLs): see triage
// ingest --help"). Empty when no required argument of the command given is missing.
std::string MissingArgument(CLI::App& app) {
  CLI::App* at = CommandGiven(app);
  std::vector<std::string> missing;
  for (const CLI::Option* opt : at->get_options()) {
    if (!opt->get_required() || opt->count() > 0) continue;
    const std::string name = opt->get_positional() ? opt->get_name(true, false) : opt->get_name();
    std::string what = opt->get_description();
    what = what.substr(0, what.find(" ("));  // its own remarks in brackets are for --help
    missing.push_back(what.empty() || what == name ? name : fmt::format("{} ({})", name, what));
  }
  if (missing.empty()) return "";
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i)
    list += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
  const std::string where = at == &app ? "triage" : "triage " + CommandPath(at);
  return fmt::format("{} needs {}: see {} --help", at == &app ? "triage" : CommandPath(at), list, where);
}

// A word that starts with one "-" and has a "." or "/" in it ("-rf.jpg") is a file name read as an option: the hint
// that says so and how to give it, or "" when there is none such before a "--".
std::string DashedNameHint(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") break;
    if (word.size() > 1 && word[0] == '-' && word[1] != '-' && word.find_first_of("./") != std::string_view::npos) {
      return fmt::format(
          " (\"{}\" was read as an option: to name a file whose name starts with \"-\", write ./{} or put "
          "-- before it)",
          word, word);
    }
  }
  return "";
}

// What a whole-number option accepts, as its CLI11 type name tells: "INT" or "UINT", then what its checks say of
// themselves ("INT:INT in [1 - 100000]" for CLI::Range(1, 100000), "INT:NONNEGATIVE", "INT:POSITIVE"). nullopt for an
// option that does not take whole numbers.
struct WholeNumber {
  std::optional<int64_t> min, max;
};
std::optional<WholeNumber> WholeNumberOf(const CLI::Option& opt) {
  const std::string type = opt.get_type_name();
  const std::string base = type.substr(0, type.find(':'));
  if (base != "INT" && base != "UINT") return std::nullopt;
  WholeNumber bounds;
  if (base == "UINT") bounds.min = 0;
  for (size_t at = type.find(':'); at != std::string::npos; at = type.find(':', at + 1)) {
    const std::string_view check = std::string_view(type).substr(at + 1, type.find(':', at + 1) - at - 1);
    if (check == "NONNEGATIVE") bounds.min = 0;
    if (check == "POSITIVE") bounds.min = 1;
    const size_t range = check.find(" in [");
    if (range == std::string_view::npos) continue;
    const char* p = check.data() + range + 5;
    const char* end = check.data() + check.size();
    int64_t lo = 0, hi = 0;
    auto first = std::from_chars(p, end, lo);
    if (first.ec != std::errc() || std::string_view(first.ptr, end - first.ptr).substr(0, 3) != " - ") continue;
    auto second = std::from_chars(first.ptr + 3, end, hi);
    if (second.ec != std::errc() || std::string_view(second.ptr, end - second.ptr) != "]") continue;
    bounds.min = lo;
    bounds.max = hi;
  }
  return bounds;
}

// A number as people write it in decimal: digits with an optional sign, point and exponent ("0.5", "-2", "1e3").
// C's strtod, which CLI11 reads fractional options with, also takes hex ("0x10" is 16), "inf" and "nan" (which no
// range check refuses: every comparison with it is false).
bool IsDecimalNumber(std::string_view v) {
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) v.remove_prefix(1);
  const size_t digits = std::min(v.find_first_not_of("0123456789"), v.size());
  size_t at = digits, fraction = 0;
  if (at < v.size() && v[at] == '.') {
    fraction = std::min(v.find_first_not_of("0123456789", at + 1), v.size()) - at - 1;
    at += 1 + fraction;
  }
  if (digits + fraction == 0) return false;
  if (at < v.size() && (v[at] == 'e' || v[at] == 'E')) {
    ++at;
    if (at < v.size() && (v[at] == '+' || v[at] == '-')) ++at;
    const size_t exponent = std::min(v.find_first_not_of("0123456789", at), v.size()) - at;
    if (exponent == 0) return false;
    at += exponent;
  }
  return at == v.size();
}

// What a fractional option accepts, from its CLI11 type name ("FLOAT:FLOAT in [0 - 100]" for CLI::Range(0.0,
// 100.0)): its bounds as written there. nullopt for an option that does not take fractional numbers.
struct FractionalNumber {
  std::string min, max;
};
std::optional<FractionalNumber> FractionalNumberOf(const CLI::Option& opt) {
  const std::string type = opt.get_type_name();
  if (type.substr(0, type.find(':')) != "FLOAT") return std::nullopt;
  FractionalNumber bounds;
  const size_t open = type.find(" in ["), dash = type.find(" - ", open), close = type.find(']', dash);
  if (open != std::string::npos && dash != std::string::npos && close != std::string::npos) {
    bounds.min = type.substr(open + 5, dash - open - 5);
    bounds.max = type.substr(dash + 3, close - dash - 3);
  }
  return bounds;
}

// True when `value` is a whole number `bounds` allow ("+5" too, as CLI11 reads it).
bool Allows(const WholeNumber& bounds, std::string_view value) {
  if (!value.empty() && value.front() == '+') value.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (end != value.data() + value.size()) return false;
  // An option given no bounds at all holds an int (a port, a count of days): one past 32 bits is refused by name here,
  // not as CLI11's "Could not convert".
  if (!bounds.min && !bounds.max && ec == std::errc() && (n > INT32_MAX || n < INT32_MIN)) return false;
  return ec == std::errc() && (!bounds.min || n >= *bounds.min) && (!bounds.max || n <= *bounds.max);
}

// CLI11 says "Could not convert: id = abc" for a word where a number goes and, behind a range check, "--limit: Value
// abc not in range 1 to 100000", as if abc were a number (NonNegativeNumber adds a 300-digit bound): this names the
// command, the argument, what it takes and what was given ("review approve: id must be a whole number (got "abc"):
// see triage review approve --help"). Any other value a check refused is CLI11's words under the command's name.
// CLI11's refusal of a value outside a fixed set ("--keep: newest not in {new,existing,both}") in the words of the
// other usage errors: "--keep must be one of new, existing or both (got "newest")". nullopt for any other message.
std::optional<std::string> NotAMember(std::string_view what) {
  const size_t colon = what.find(": "), in = what.rfind(" not in {");
  if (colon == std::string_view::npos || in == std::string_view::npos || in < colon || what.back() != '}') {
    return std::nullopt;
  }
  const std::string_view name = what.substr(0, colon), given = what.substr(colon + 2, in - colon - 2);
  std::vector<std::string> choices;
  for (std::string_view rest = what.substr(in + 9, what.size() - in - 10); !rest.empty();) {
    const size_t comma = rest.find(',');
    choices.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (choices.empty()) return std::nullopt;
  std::string list = choices.front();
  for (size_t i = 1; i < choices.size(); ++i) list += (i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return fmt::format("{} must be one of {} (got {})", name, list,
                     nlohmann::json(std::string(given)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string BadValue(CLI::App& app, const CLI::ParseError& e) {
  CLI::App* at = CommandGiven(app);
  const std::string command = at == &app ? "" : CommandPath(at) + ": ";
  const std::string where = at == &app ? "triage" : "triage " + CommandPath(at);
  // The options of the command given come first, then those its parents pass down (with fallthrough); CLI11 checks
  // them in the order they were added and stops at the first value it refuses.
  for (CLI::App* cmd = at; cmd != nullptr; cmd = cmd->get_parent()) {
    for (const CLI::Option* opt : cmd->get_options()) {
      if (opt->count() == 0) continue;
      if (const std::optional<FractionalNumber> range = FractionalNumberOf(*opt)) {
        for (const std::string& value : opt->results()) {
          if (IsDecimalNumber(value) &&
              (range->min.empty() ||
               (std::strtod(value.c_str(), nullptr) >= std::strtod(range->min.c_str(), nullptr) &&
                std::strtod(value.c_str(), nullptr) <= std::strtod(range->max.c_str(), nullptr)))) {
            continue;
          }
          const std::string name = opt->get_positional() ? opt->get_name(true, false) : opt->get_name();
          const std::string given =
              nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          const std::string what = range->min.empty()
                                       ? "a decimal number"
                                       : fmt::format("a decimal number from {} to {}", range->min, range->max);
          return fmt::format("{}{} must be {} (got {}): see {} --help", command, name, what, given, where);
        }
      }
      const std::optional<WholeNumber> bounds = WholeNumberOf(*opt);
      if (!bounds) continue;
      for (const std::string& value : opt->results()) {
        if (Allows(*bounds, value)) continue;
        // `review name 3 x`: each of the ids is a number.
        std::string what = opt->get_items_expected_max() > 1 ? "whole numbers" : "a whole number";
        if (bounds->min && bounds->max) {
          what += fmt::format(" from {} to {}", *bounds->min, *bounds->max);
        } else if (bounds->min) {
          what += fmt::format(", {} or more", *bounds->min);
        } else if (bounds->max) {
          what += fmt::format(", {} or less", *bounds->max);
        }
        const std::string name = opt->get_positional() ? opt->get_name(true, false) : opt->get_name();
        const std::string given = nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        // A range said names the limit already; without one, a number of many digits is said to be out of range.
        const bool long_digits =
            !bounds->max && value.size() > 9 && value.find_first_not_of("+-0123456789") == std::string::npos;
        return fmt::format("{}{} must be {} (got {}{}): see {} --help", command, name, what, given,
                           long_digits ? ", out of range" : "", where);
      }
    }
  }
  if (std::optional<std::string> member = NotAMember(e.what())) {
    return fmt::format("{}{}: see {} --help", command, *member, where);
  }
  return fmt::format("{}{}: see {} --help", command, e.what(), where);
}

// The arguments no option or argument of the command given takes, in the order they were typed (CLI11 says them as
// "The following arguments were not expected: x --days", in an order of its own and without the command).
std::string Unexpected(CLI::App& app, int argc, const char* const* argv) {
  CLI::App* at = CommandGiven(app);
  std::vector<std::string> extra = app.remaining(true);
  if (extra.empty()) return "";
  const auto typed_at = [&](const std::string& word) {
    return std::find_if(argv + 1, argv + argc, [&](const char* a) { return word == a; }) - argv;
  };
  std::stable_sort(extra.begin(), extra.end(),
                   [&](const std::string& a, const std::string& b) { return typed_at(a) < typed_at(b); });
  std::string list;
  for (const std::string& word : extra) {
    list +=
        (list.empty() ? "" : " ") + nlohmann::json(word).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  const std::string where = at == &app ? "triage" : "triage " + CommandPath(at);
  // Options of the command typed before its name: the words before it are read as the top level's, which has none of
  // those ("stats: --json was not expected" of a command that takes --json). Said as what it is.
  if (at != &app) {
    const auto command_at = typed_at(at->get_name());
    const bool all_misplaced = std::all_of(extra.begin(), extra.end(), [&](const std::string& word) {
      const std::string name = word.substr(0, word.find('='));
      return name.size() > 1 && name[0] == '-' && typed_at(word) < command_at &&
             at->get_option_no_throw(name) != nullptr;
    });
    if (all_misplaced) {
      return fmt::format("{}: {} {} before the command's name; {} of `{}`: put {} after it ({} {} ...)",
                         CommandPath(at), list, extra.size() == 1 ? "stands" : "stand",
                         extra.size() == 1 ? "it is an option" : "they are options", where,
                         extra.size() == 1 ? "it" : "them", where, extra.front());
    }
  }
  return fmt::format("{}{} {} not expected: see {} --help", at == &app ? "" : CommandPath(at) + ": ", list,
                     extra.size() == 1 ? "was" : "were", where);
}

// CLI11 gives an option that takes a value the next word, whatever it is: `recover --host --json` recovered a host
// named "--json". Every option that takes values refuses one that is the name of an option of its command (or of a
// command above it, for --library and --catalog), naming both.
void RefuseOptionNamesAsValues(CLI::App& at) {
  std::set<std::string> names;
  for (const CLI::App* in = &at; in != nullptr; in = in->get_parent()) {
    for (const CLI::Option* opt : in->get_options()) {
      for (const std::string& n : opt->get_lnames()) names.insert("--" + n);
      for (const std::string& n : opt->get_snames()) names.insert("-" + n);
    }
  }
  for (CLI::Option* opt : at.get_options()) {
    if (opt->get_type_size_max() == 0 || opt->get_positional()) continue;  // a flag, or an argument (no name)
    const std::string option = opt->get_name();
    opt->check(CLI::Validator(
        [names, option](std::string& value) -> std::string {
          if (!names.contains(value)) return "";
          return fmt::format("\"{}\" is an option of this command, not a value (give {} its value first)", value,
                             option);
        },
        "", "not an option name"));
  }
  for (CLI::App* sub : at.get_subcommands([](CLI::App*) { return true; })) RefuseOptionNamesAsValues(*sub);
}

// CLI11 reads a whole number as C's strtoll does with base 0: `review reject 011` rejected item 9 (octal), `0x10` item
// 16, and a number past 64 bits became the largest there is. Every whole-number option reads decimal only: leading
// zeros are dropped ("011" is 11), anything else that is not decimal digits, or does not fit, is refused by name.
// A fractional option likewise takes a decimal number only (strtod's hex, "inf" and "nan" are refused).
void ReadWholeNumbersInDecimal(CLI::App& at) {
  for (CLI::Option* opt : at.get_options()) {
    if (opt->get_type_size_max() != 0 && FractionalNumberOf(*opt)) {
      opt->transform(CLI::Validator(
          [](std::string& value) -> std::string { return IsDecimalNumber(value) ? "" : "not a decimal number"; }, "",
          "decimal"));
      continue;
    }
    if (opt->get_type_size_max() == 0 || !WholeNumberOf(*opt)) continue;
    opt->transform(CLI::Validator(
        [](std::string& value) -> std::string {
          std::string_view digits = value;
          const bool negative = !digits.empty() && digits.front() == '-';
          if (!digits.empty() && (digits.front() == '+' || negative)) digits.remove_prefix(1);
          if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
            return "not a whole number in decimal digits";
          }
          digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size() - 1));
          const std::string decimal = (negative ? "-" : "") + std::string(digits);
          int64_t n = 0;
          auto [end, ec] = std::from_chars(decimal.data(), decimal.data() + decimal.size(), n);
          if (ec != std::errc() || end != decimal.data() + decimal.size()) return "too large a number";
          value = decimal;
          return "";
        },
        "", "decimal"));
  }
  for (CLI::App* sub : at.get_subcommands([](CLI::App*) { return true; })) ReadWholeNumbersInDecimal(*sub);
}

}  // namespace

int RunCli(int argc, char** argv, const Openers& openers) {
  CLI::App app{"triage: photo intake and curation"};
  app.require_subcommand(1);
  app.fallthrough();  // --library may stand before or after the subcommand
  app.set_version_flag("--version", "triage 0.1.0");
  CommandContext ctx;
  ctx.open = openers.library;
  ctx.open_catalog = openers.catalog;
  if (const char* env = std::getenv("TRIAGE_LIBRARY")) ctx.library = env;
  if (const char* env = std::getenv("TRIAGE_CATALOG")) {
    ctx.catalog_url = env;
    ctx.catalog_named_by = "TRIAGE_CATALOG";
  }
  app.add_option("--library", ctx.library, "library folder (default: $TRIAGE_LIBRARY)");
  app.add_option("--catalog", ctx.catalog_url,
                 "catalog URL: sqlite:, sqlite:PATH or postgresql://... (default: $TRIAGE_CATALOG, else catalog.url in "
                 "triage.json)")
      ->each([&ctx](const std::string&) { ctx.catalog_named_by = "--catalog"; });
  AddIntakeCommands(app, ctx);
  AddQueryCommands(app, ctx);
  AddReviewCommands(app, ctx);
  AddPersonCommands(app, ctx);
  AddServeCommands(app, ctx);
  AddUserCommands(app, ctx);
  AddPolicyCommands(app, ctx);
  AddFacesCommands(app, ctx);
  AddGroupCommands(app, ctx);
  AddProposalCommands(app, ctx);
  AddDbCommands(app, ctx);
  AddWorkerCommands(app, ctx);
  RefuseOptionNamesAsValues(app);
  ReadWholeNumbersInDecimal(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // With --json, a usage error is a JSON answer on stdout like every other error (scripts read stdout); --help
    // and --version print as they do.
    const bool json_asked =
        ctx.json || std::any_of(argv + 1, argv + argc, [](const char* a) { return std::string_view(a) == "--json"; });
    const bool required = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
    const bool bad_value = dynamic_cast<const CLI::ConversionError*>(&e) != nullptr ||
                           dynamic_cast<const CLI::ValidationError*>(&e) != nullptr;
    const bool extras = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
    std::string message = required ? UnknownCommand(app) : "";
    if (message.empty() && required) message = MissingArgument(app);
    if (bad_value) message = BadValue(app, e);
    if (extras) message = Unexpected(app, argc, argv);
    const std::string hint = DashedNameHint(argc, argv);
    if (!hint.empty() && (required || extras)) message = (message.empty() ? std::string(e.what()) : message) + hint;
    if (!message.empty()) {
      ctx.json = json_asked;
      ctx.Fail(base::Status::InvalidArgument(message));
      return kExitUsage;
    }
    if (json_asked && e.get_exit_code() != 0) {
      ctx.json = true;
      return ctx.Fail(base::Status::InvalidArgument(e.what()));
    }
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    // A defect, not a user error: say so plainly instead of aborting (files are safe: every move is journaled and
    // the next start recovers anything half-done).
    return ctx.Fail(base::Status::Io(fmt::format("internal error: {}", e.what())));
  }
  return ctx.exit_code;
}

}  // namespace triage::cli
