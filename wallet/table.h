// Output for people: terminal display width (CJK characters take two
// columns), aligned text tables and money in yuan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::wallet {

// Columns a UTF-8 string takes on a terminal: East Asian wide and fullwidth
// characters count 2, combining marks 0, everything else 1.
size_t display_width(std::string_view utf8);

// "¥1,070,000.10" for 107000010 fen.
std::string yuan(uint64_t fen);

// A table: a header row and rows of cells. Columns are separated by two
// spaces; `right_align[i]` right-aligns column i (numbers, money).
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<bool> right_align = {});
  void add(std::vector<std::string> row);
  size_t rows() const { return rows_.size(); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// "label  value" lines with the labels padded to one width.
class Fields {
 public:
  void add(std::string label, std::string value);
  std::string render() const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

}  // namespace suanli::wallet
