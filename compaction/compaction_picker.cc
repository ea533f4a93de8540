#include "compaction/compaction_picker.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata {
namespace {

// The smallest and largest user keys of a set of files.
void UserRange(const Comparator* ucmp, const FileList& files, std::string_view* smallest,
               std::string_view* largest) {
  for (size_t i = 0; i < files.size(); i++) {
    std::string_view s = ExtractUserKey(files[i]->smallest);
    std::string_view l = ExtractUserKey(files[i]->largest);
    if (i == 0 || ucmp->Compare(s, *smallest) < 0) *smallest = s;
    if (i == 0 || ucmp->Compare(l, *largest) > 0) *largest = l;
  }
}

bool AnyBusy(const FileList& files, const std::set<uint64_t>& busy) {
  return std::any_of(files.begin(), files.end(),
                     [&](const auto& f) { return busy.count(f->number) > 0; });
}

uint64_t TotalBytes(const FileList& files) {
  uint64_t sum = 0;
  for (const auto& f : files) sum += f->file_size;
  return sum;
}

// Fills in the next level's inputs, the grandparents and the limits; null if a needed file
// is busy.
std::unique_ptr<Compaction> Complete(std::unique_ptr<Compaction> c, const Options& options,
                                     const InternalKeyComparator& icmp,
                                     const std::set<uint64_t>& busy) {
  const Comparator* ucmp = icmp.user_comparator();
  std::string_view smallest, largest;
  UserRange(ucmp, c->inputs[0], &smallest, &largest);
  if (c->output_level != c->level) {
    c->inputs[1] = OverlappingFiles(*c->version, ucmp, c->output_level, &smallest, &largest);
  }
  if (AnyBusy(c->inputs[0], busy) || AnyBusy(c->inputs[1], busy)) return nullptr;
  if (c->output_level + 1 < c->version->num_levels()) {
    FileList all = c->inputs[0];
    all.insert(all.end(), c->inputs[1].begin(), c->inputs[1].end());
    UserRange(ucmp, all, &smallest, &largest);
    c->grandparents = OverlappingFiles(*c->version, ucmp, c->output_level + 1, &smallest, &largest);
  }
  c->max_output_file_size = options.target_file_size_base;
  c->max_grandparent_overlap = 10 * options.target_file_size_base;
  c->cut_at_grandparent_boundaries = options.level_compaction_dynamic_file_size;
  c->trivial_move = c->level > 0 && c->inputs[1].empty() &&
                    TotalBytes(c->grandparents) <= c->max_grandparent_overlap;
  return c;
}

// The positions of level's (> 0) files in the order options.compaction_pri tries them.
std::vector<size_t> FilesInPickOrder(const Version& v, const Options& options,
                                     const InternalKeyComparator& icmp, int level,
                                     const std::vector<std::string>& compact_pointers) {
  const FileList& files = v.files(level);
  std::vector<size_t> order;
  order.reserve(files.size());
  if (options.compaction_pri == Options::CompactionPri::kRoundRobin) {
    const std::string& pointer =
        static_cast<size_t>(level) < compact_pointers.size() ? compact_pointers[level] : "";
    size_t start = 0;
    if (!pointer.empty()) {
      while (start < files.size() && icmp.Compare(files[start]->largest, pointer) <= 0) start++;
    }
    for (size_t k = 0; k < files.size(); k++) order.push_back((start + k) % files.size());
    return order;
  }
  // Both levels are sorted and disjoint, so one forward sweep finds each file's overlap.
  const Comparator* ucmp = icmp.user_comparator();
  const FileList& below = v.files(level + 1);
  std::vector<std::pair<double, size_t>> ratios;
  ratios.reserve(files.size());
  size_t first = 0;  // the first file below that can overlap files[i] or a later file
  for (size_t i = 0; i < files.size(); i++) {
    const std::string_view smallest = ExtractUserKey(files[i]->smallest);
    const std::string_view largest = ExtractUserKey(files[i]->largest);
    while (first < below.size() &&
           ucmp->Compare(ExtractUserKey(below[first]->largest), smallest) < 0) {
      first++;
    }
    uint64_t overlap = 0;
    for (size_t j = first;
         j < below.size() && ucmp->Compare(ExtractUserKey(below[j]->smallest), largest) <= 0; j++) {
      overlap += below[j]->file_size;
    }
    ratios.emplace_back(static_cast<double>(overlap) /
                            static_cast<double>(std::max<uint64_t>(files[i]->file_size, 1)),
                        i);
  }
  std::stable_sort(ratios.begin(), ratios.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [ratio, i] : ratios) order.push_back(i);
  return order;
}

}  // namespace

uint64_t MaxMoveBytes(const Options& options) { return 25 * options.target_file_size_base; }

uint64_t MaxBytesForLevel(const Options& options, int level) {
  double bytes = static_cast<double>(options.max_bytes_for_level_base);
  for (int l = 1; l < level; l++) bytes *= options.max_bytes_for_level_multiplier;
  return static_cast<uint64_t>(std::min(bytes, 1e19));
}

int DeepestLevel(const Version& v) {
  int deepest = v.num_levels() - 1;
  while (deepest > 1 && v.files(deepest).empty()) deepest--;
  return deepest;
}

namespace {

// The level that level 0 should compact into, from the shape alone: going up from the
// deepest level, the level above one is used only while that one's target (its bytes, for the
// deepest) reaches max_bytes_for_level_base times the square root of the multiplier, and
// level 1 while the deepest level holds less than max_bytes_for_level_base. A thinner step
// costs a whole extra rewrite of every byte for too little sorting: at 100 M random keys,
// level 1 and level 2 would both aim at 256-360 MiB.
int IdealBaseLevel(const Version& v, const Options& options, int deepest) {
  if (!options.level_compaction_dynamic_level_bytes) return 1;
  double below = static_cast<double>(v.NumLevelBytes(deepest));
  // A tree smaller than one base has no shape worth keeping: nothing is skipped or drained
  // (a small ingested file, or a test that stops compaction with a huge base).
  if (below < static_cast<double>(options.max_bytes_for_level_base)) return 1;
  const double step = static_cast<double>(options.max_bytes_for_level_base) *
                      std::sqrt(options.max_bytes_for_level_multiplier);
  int base = deepest;
  while (base > 1 && below >= step) {
    below /= options.max_bytes_for_level_multiplier;
    base--;
  }
  return base;
}

// A level above the ideal base level still holding files (the base level moved down when a
// new level opened) goes before any work but a level 0 that writers are waiting on.
constexpr double kAboveBaseScore = 1e6;

}  // namespace

int BaseLevel(const Version& v, const Options& options) {
  const int ideal = IdealBaseLevel(v, options, DeepestLevel(v));
  for (int level = 1; level < ideal; level++) {
    if (!v.files(level).empty()) return level;
  }
  return ideal;
}

uint64_t LevelTarget(const Version& v, const Options& options, int level) {
  const uint64_t fixed = MaxBytesForLevel(options, level);
  if (!options.level_compaction_dynamic_level_bytes) return fixed;
  const int deepest = DeepestLevel(v);
  if (deepest <= level) return fixed;  // the deepest level deepens at its fixed target
  if (level < IdealBaseLevel(v, options, deepest)) return 0;
  double bytes = static_cast<double>(v.NumLevelBytes(deepest));
  for (int l = level; l < deepest; l++) bytes /= options.max_bytes_for_level_multiplier;
  return std::max(options.max_bytes_for_level_base, static_cast<uint64_t>(bytes));
}

double LevelScore(const Version& v, const Options& options, int level) {
  if (level >= v.num_levels() - 1) return 0;
  if (level == 0) {
    return static_cast<double>(v.files(0).size()) / options.level0_file_num_compaction_trigger;
  }
  const uint64_t target = LevelTarget(v, options, level);
  if (target == 0) return v.files(level).empty() ? 0 : kAboveBaseScore;
  return static_cast<double>(v.NumLevelBytes(level)) / static_cast<double>(target);
}

FileList OverlappingFiles(const Version& v, const Comparator* ucmp, int level,
                          const std::string_view* begin, const std::string_view* end) {
  FileList out;
  for (const auto& f : v.files(level)) {
    if (end != nullptr && ucmp->Compare(ExtractUserKey(f->smallest), *end) > 0) continue;
    if (begin != nullptr && ucmp->Compare(ExtractUserKey(f->largest), *begin) < 0) continue;
    out.push_back(f);
  }
  return out;
}

std::unique_ptr<Compaction> PickCompaction(std::shared_ptr<const Version> v, const Options& options,
                                           const InternalKeyComparator& icmp,
                                           const std::vector<std::string>& compact_pointers,
                                           const std::set<uint64_t>& busy,
                                           const SeekCompactionCandidate& seek) {
  std::vector<std::pair<double, int>> scores;
  for (int level = 0; level + 1 < v->num_levels(); level++) {
    double score = LevelScore(*v, options, level);
    // Level 0 at the slowdown trigger goes first: writers are waiting on it, and a level
    // whose target just fell (a new level opened below it) can score higher for a long time.
    if (level == 0 &&
        v->files(0).size() >= static_cast<size_t>(options.level0_slowdown_writes_trigger)) {
      score = std::numeric_limits<double>::infinity();
    }
    if (score >= 1) scores.emplace_back(score, level);
  }
  std::stable_sort(scores.begin(), scores.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  // A level over its target that can shed files by a trivial move (a metadata edit that
  // rewrites nothing) does so first: otherwise an urgent L0 keeps winning, and each of its
  // merges rewrites an ever larger L1. The move takes the whole run of neighbouring files
  // that nothing below overlaps, not just enough to get under the target: it is free now,
  // and every file left behind would be rewritten by each later merge from above.
  for (const auto& [score, level] : scores) {
    if (level == 0) continue;
    const FileList& files = v->files(level);
    auto try_move = [&, level = level](size_t lo, size_t hi) -> std::unique_ptr<Compaction> {
      auto c = std::make_unique<Compaction>();
      c->version = v;
      c->level = level;
      c->output_level = level + 1;
      c->inputs[0].assign(files.begin() + lo, files.begin() + hi + 1);
      c->reason = "level size, trivial move";
      if (c->InputBytes(0) > MaxMoveBytes(options)) return nullptr;
      auto done = Complete(std::move(c), options, icmp, busy);
      return done != nullptr && done->trivial_move ? std::move(done) : nullptr;
    };
    for (size_t i = 0; i < files.size(); i++) {
      auto best = try_move(i, i);
      if (best == nullptr) continue;
      size_t lo = i, hi = i;
      while (hi + 1 < files.size()) {
        auto wider = try_move(lo, hi + 1);
        if (wider == nullptr) break;
        best = std::move(wider);
        hi++;
      }
      return best;  // files before i could not move alone, so they cannot join the run
    }
  }

  const int base_level = BaseLevel(*v, options);
  for (const auto& [score, level] : scores) {
    auto make = [&, level = level] {
      auto c = std::make_unique<Compaction>();
      c->version = v;
      c->level = level;
      c->output_level = level == 0 ? base_level : level + 1;
      return c;
    };
    if (level == 0) {
      auto c = make();
      c->inputs[0] = v->files(0);
      c->reason = "L0 file count";
      if (auto done = Complete(std::move(c), options, icmp, busy)) return done;
      continue;
    }
    // Files in use are passed over.
    for (size_t i : FilesInPickOrder(*v, options, icmp, level, compact_pointers)) {
      const auto& f = v->files(level)[i];
      if (busy.count(f->number) > 0) continue;
      auto c = make();
      c->inputs[0] = {f};
      c->reason = "level size";
      if (auto done = Complete(std::move(c), options, icmp, busy)) return done;
    }
  }

  if (seek.level >= 0 && seek.level + 1 < v->num_levels()) {
    const FileList& files = v->files(seek.level);
    auto f = std::find_if(files.begin(), files.end(),
                          [&](const auto& file) { return file->number == seek.number; });
    if (f != files.end()) {
      auto c = std::make_unique<Compaction>();
      c->version = v;
      c->level = seek.level;
      c->output_level = seek.level == 0 ? base_level : seek.level + 1;
      if (seek.level == 0) {
        c->inputs[0] = files;  // level-0 files overlap: take them all
      } else {
        c->inputs[0] = {*f};
      }
      c->reason = "seeks";
      if (auto done = Complete(std::move(c), options, icmp, busy)) return done;
    }
  }
  return nullptr;
}

std::unique_ptr<Compaction> PickRangeCompaction(std::shared_ptr<const Version> v,
                                                const Options& options,
                                                const InternalKeyComparator& icmp, int level,
                                                const std::string_view* begin,
                                                const std::string_view* end, int last_level,
                                                const std::set<uint64_t>& busy, bool* blocked) {
  *blocked = false;
  const bool in_place = level == last_level;
  if (level > last_level || last_level >= v->num_levels()) return nullptr;
  // Level 0 is never rewritten in place: the caller's loop carries it down.
  if (in_place && level == 0) return nullptr;
  const Comparator* ucmp = icmp.user_comparator();
  FileList inputs = OverlappingFiles(*v, ucmp, level, begin, end);
  if (inputs.empty()) return nullptr;
  if (level == 0) inputs = v->files(0);  // level-0 files overlap: take them all
  // Down to the first level that holds any of the inputs' keys, or to last_level: a level
  // in between holds none of them, so the output stays above every older version of its
  // keys, and going through it would only rewrite the same bytes once more.
  int output_level = level;
  if (!in_place) {
    std::string_view smallest, largest;
    UserRange(ucmp, inputs, &smallest, &largest);
    output_level = level + 1;
    while (output_level < last_level &&
           OverlappingFiles(*v, ucmp, output_level, &smallest, &largest).empty()) {
      output_level++;
    }
  }
  auto c = std::make_unique<Compaction>();
  c->version = v;
  c->level = level;
  c->output_level = output_level;
  c->inputs[0] = std::move(inputs);
  c->reason = in_place ? "manual, in place" : "manual";
  auto done = Complete(std::move(c), options, icmp, busy);
  if (done == nullptr) *blocked = true;
  return done;
}

}  // namespace strata
