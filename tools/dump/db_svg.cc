#include "tools/dump/db_svg.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "keys/internal_key.h"
#include "tools/dump/dump_util.h"
#include "util/escape.h"
#include "version/filename.h"

namespace strata::dump {

KeyScale::KeyScale(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  auto [min_it, max_it] = std::minmax_element(keys.begin(), keys.end());
  // Every key between the smallest and the largest shares their common prefix.
  size_t common = 0;
  while (common < min_it->size() && common < max_it->size() &&
         (*min_it)[common] == (*max_it)[common]) {
    common++;
  }
  prefix_ = min_it->substr(0, common);
  low_.assign(kPositions, 255);
  std::vector<unsigned> high(kPositions, 0);
  for (const std::string& key : keys) {
    for (size_t i = 0; i < kPositions && common + i < key.size(); i++) {
      const unsigned b = static_cast<unsigned char>(key[common + i]);
      low_[i] = std::min(low_[i], b);
      high[i] = std::max(high[i], b);
    }
  }
  radix_.resize(kPositions);
  for (size_t i = 0; i < kPositions; i++) {
    if (high[i] < low_[i]) low_[i] = high[i] = 0;  // no key reaches this position
    radix_[i] = high[i] - low_[i] + 1;
  }
  low_value_ = Raw(*min_it);
  span_ = Raw(*max_it) - low_value_;
}

double KeyScale::Raw(std::string_view key) const {
  if (radix_.empty()) return 0;
  // Keys in range start with the prefix; a key outside it sorts wholly before or after.
  if (key.substr(0, prefix_.size()) != prefix_) return key < prefix_ ? -1.0 : 2.0;
  key.remove_prefix(prefix_.size());
  double value = 0, unit = 1;
  for (size_t i = 0; i < kPositions && i < key.size(); i++) {
    unit /= radix_[i];
    const unsigned b = static_cast<unsigned char>(key[i]);
    const unsigned clamped = std::clamp(b, low_[i], low_[i] + radix_[i] - 1);
    value += (clamped - low_[i]) * unit;
    // Past the range at this position: everything after it counts as maximal (or minimal).
    if (b != clamped) {
      if (b > clamped) value += unit;
      break;
    }
  }
  return value;
}

double KeyScale::Position(std::string_view key) const {
  if (span_ <= 0) return 0.5;
  return std::clamp((Raw(key) - low_value_) / span_, 0.0, 1.0);
}

namespace {

// Layout, in pixels.
constexpr double kWidth = 1200;
constexpr double kPlotLeft = 230;
constexpr double kPlotWidth = 940;
constexpr double kTop = 80;           // where the first level row starts
constexpr double kRowHeight = 48;     // levels 1 and up
constexpr double kL0LineHeight = 18;  // one line per level-0 table
constexpr double kRowGap = 10;
constexpr double kMinBoxWidth = 2;

const char* const kLevelColors[] = {"#d9534f", "#f0ad4e", "#5cb85c", "#5bc0de",
                                    "#428bca", "#9370db", "#777777"};

std::string Xml(std::string_view text) {
  std::string r;
  for (char c : text) {
    switch (c) {
      case '&':
        r += "&amp;";
        break;
      case '<':
        r += "&lt;";
        break;
      case '>':
        r += "&gt;";
        break;
      case '"':
        r += "&quot;";
        break;
      case '\'':
        r += "&apos;";
        break;
      default:
        r += c;
    }
  }
  return r;
}

std::string Human(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    unit++;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A user key for a label: escaped, and cut short if long.
std::string KeyLabel(std::string_view user_key) {
  std::string key = EscapeBytes(user_key);
  if (key.size() > 40) key = key.substr(0, 37) + "...";
  return "'" + key + "'";
}

class SvgWriter {
 public:
  explicit SvgWriter(const DbState& state) : state_(state) {
    std::vector<std::string> keys;
    for (const auto& [level, files] : state.version.levels()) {
      for (const auto& [number, f] : files) {
        keys.emplace_back(ExtractUserKey(f->smallest));
        keys.emplace_back(ExtractUserKey(f->largest));
        max_size_ = std::max(max_size_, f->file_size);
        tables_++;
        bytes_ += f->file_size;
      }
      if (!files.empty()) last_level_ = std::max(last_level_, level);
    }
    scale_ = KeyScale(keys);
    if (!keys.empty()) {
      min_key_ = *std::min_element(keys.begin(), keys.end());
      max_key_ = *std::max_element(keys.begin(), keys.end());
    }
  }

  std::string Render();

 private:
  // The box of one table in a band of the given top and height.
  void Box(int level, const FileMetaData& f, double top, double band);
  double LevelRow(int level, double top);

  const DbState& state_;
  KeyScale scale_{{}};
  uint64_t max_size_ = 0;
  uint64_t tables_ = 0;
  uint64_t bytes_ = 0;
  int last_level_ = 0;
  std::string min_key_, max_key_;
  std::string body_;
};

void SvgWriter::Box(int level, const FileMetaData& f, double top, double band) {
  const double x0 = kPlotLeft + kPlotWidth * scale_.Position(ExtractUserKey(f.smallest));
  const double x1 = kPlotLeft + kPlotWidth * scale_.Position(ExtractUserKey(f.largest));
  double width = std::max(x1 - x0, kMinBoxWidth);
  double x = std::min(x0, kPlotLeft + kPlotWidth - width);
  // Height by bytes: a quarter of the band at least, all of it for the largest table.
  const double weight = max_size_ == 0 ? 1.0 : static_cast<double>(f.file_size) / max_size_;
  const double height = band * (0.25 + 0.75 * weight);
  const double y = top + (band - height) / 2;
  const char* color = kLevelColors[std::min<size_t>(level, std::size(kLevelColors) - 1)];
  body_ += "<rect class=\"table\" data-file=\"" + std::to_string(f.number) + "\" x=\"" + Num(x) +
           "\" y=\"" + Num(y) + "\" width=\"" + Num(width) + "\" height=\"" + Num(height) +
           "\" fill=\"" + color + "\" fill-opacity=\"0.7\" stroke=\"#333\" stroke-width=\"0.5\">";
  body_ += "<title>" + Xml(TableFileName("", f.number).substr(1)) + " (level " +
           std::to_string(level) + "): " + Xml(Human(f.file_size)) + ", keys " +
           Xml(KeyLabel(ExtractUserKey(f.smallest))) + " .. " +
           Xml(KeyLabel(ExtractUserKey(f.largest))) + "</title></rect>\n";
  // The number inside boxes wide and tall enough to hold it.
  if (width >= 48 && height >= 11) {
    body_ += "<text x=\"" + Num(x + 3) + "\" y=\"" + Num(y + height / 2 + 4) +
             "\" font-size=\"10\" pointer-events=\"none\">" + std::to_string(f.number) +
             "</text>\n";
  }
}

double SvgWriter::LevelRow(int level, double top) {
  const FileList files = state_.version.Ordered(level, BytewiseOrder());
  const double height = level == 0 ? std::max<double>(1, files.size()) * kL0LineHeight : kRowHeight;
  body_ += "<g class=\"level\" data-level=\"" + std::to_string(level) + "\">\n";
  body_ += "<rect x=\"" + Num(kPlotLeft) + "\" y=\"" + Num(top) + "\" width=\"" + Num(kPlotWidth) +
           "\" height=\"" + Num(height) + "\" fill=\"#f4f4f4\"/>\n";
  const std::string files_label = std::to_string(files.size()) +
                                  (files.size() == 1 ? " file, " : " files, ") +
                                  Human(state_.version.LevelBytes(level));
  body_ += "<text x=\"10\" y=\"" + Num(top + 16) + "\" font-weight=\"bold\">L" +
           std::to_string(level) + "</text>\n";
  body_ += "<text x=\"40\" y=\"" + Num(top + 16) + "\">" + Xml(files_label) + "</text>\n";
  for (size_t i = 0; i < files.size(); i++) {
    if (level == 0) {
      Box(level, *files[i], top + i * kL0LineHeight + 1, kL0LineHeight - 2);  // newest on top
    } else {
      Box(level, *files[i], top + 2, kRowHeight - 4);
    }
  }
  body_ += "</g>\n";
  return height;
}

std::string SvgWriter::Render() {
  double y = kTop;
  for (int level = 0; level <= last_level_; level++) y += LevelRow(level, y) + kRowGap;
  if (tables_ == 0) {
    body_ += "<text x=\"" + Num(kPlotLeft) + "\" y=\"" + Num(y + 14) + "\">no tables</text>\n";
    y += 24;
  }
  const double height = y + 20;
  std::string title = "Strata database " + state_.dir + ": " + std::to_string(tables_) +
                      (tables_ == 1 ? " table, " : " tables, ") + Human(bytes_) + " in " +
                      std::to_string(last_level_ + 1) + (last_level_ == 0 ? " level" : " levels");
  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(kWidth) + "\" height=\"" +
         Num(height) + "\" viewBox=\"0 0 " + Num(kWidth) + " " + Num(height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + Xml(title) + "</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg +=
      "<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">" + Xml(title) + "</text>\n";
  svg +=
      "<text x=\"10\" y=\"44\" fill=\"#555\">x: key range, box height: table bytes; level 0 "
      "one line per table, newest on top</text>\n";
  if (tables_ > 0) {
    svg += "<text x=\"" + Num(kPlotLeft) + "\" y=\"" + Num(kTop - 8) + "\" fill=\"#555\">" +
           Xml(KeyLabel(min_key_)) + "</text>\n";
    svg += "<text x=\"" + Num(kPlotLeft + kPlotWidth) + "\" y=\"" + Num(kTop - 8) +
           "\" fill=\"#555\" text-anchor=\"end\">" + Xml(KeyLabel(max_key_)) + "</text>\n";
  }
  svg += body_;
  svg += "</svg>\n";
  return svg;
}

}  // namespace

std::string RenderDbSvg(const DbState& state) { return SvgWriter(state).Render(); }

}  // namespace strata::dump
