// Strict JSON parsing through nlohmann's SAX interface.
//
// nlohmann's DOM parser silently keeps the last of duplicate keys and turns
// "1.0", "1e3" and "-0" into numbers; a transaction must refuse all of these
// with the field named, so the handler below builds the value itself and
// records the first such anomaly with its path. nlohmann's lexer already
// refuses invalid UTF-8, lone surrogate escapes and raw control characters.
#include <string>
#include <vector>

#include "common/assert.h"
#include "ledger/codec.h"

namespace suanli::ledger {
namespace {

using nlohmann::json;

class StrictHandler {
 public:
  explicit StrictHandler(size_t depth_max) : depth_max_(depth_max) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) {
    // The lexer reports only negative numbers and "-0" as signed integers.
    note("must be a non-negative integer", current_path());
    return add(json(v));
  }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t& /*text*/) {
    note("must be an integer (no fraction or exponent)", current_path());
    return add(json(v));
  }
  bool string(json::string_t& v) { return add(json(std::move(v))); }
  bool binary(json::binary_t& /*v*/) { return add(json(nullptr)); }  // never from text

  bool start_object(std::size_t /*size*/) { return start(json::object()); }
  bool start_array(std::size_t /*size*/) { return start(json::array()); }
  bool end_object() { return end(); }
  bool end_array() { return end(); }

  bool key(json::string_t& k) {
    if (skip_depth_ > 0) return true;
    Frame& f = frames_.back();
    f.key = std::move(k);
    if (f.value->contains(f.key)) note("duplicate member", current_path());
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    return false;
  }

  json& root() { return root_; }
  std::vector<JsonAnomaly>& anomalies() { return anomalies_; }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    json* value = nullptr;
    std::string key;   // objects: the member being read
    size_t index = 0;  // arrays: the number of elements placed
  };

  // The dotted path of the value about to be added ("payload.vouchers[1].amount").
  std::string current_path() const {
    std::string path;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.value->is_array()) {
        // An outer array already holds the container being read: index - 1.
        size_t index = i + 1 < frames_.size() ? f.index - 1 : f.index;
        path += "[" + std::to_string(index) + "]";
      } else {
        if (!path.empty()) path.push_back('.');
        path += f.key;
      }
    }
    return path;
  }

  void note(const char* message, std::string path) {
    if (skip_depth_ > 0 || anomalies_.size() >= kJsonAnomaliesMax) return;
    anomalies_.push_back(JsonAnomaly{std::move(path), message});
  }

  // Places `v` in the innermost container (or as the root); returns where it is.
  json* place(json v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.value->is_array()) {
      f.value->push_back(std::move(v));
      ++f.index;
      return &f.value->back();
    }
    json& slot = (*f.value)[f.key];
    slot = std::move(v);
    return &slot;
  }

  bool add(json v) {
    if (skip_depth_ == 0) place(std::move(v));
    return true;
  }

  bool start(json container) {
    if (skip_depth_ > 0 || frames_.size() >= depth_max_) {
      // Deeper than allowed: recorded once, and the subtree is not built so
      // that memory and later recursion over the value stay bounded.
      if (skip_depth_ == 0) {
        note("nested too deeply", current_path());
        place(json(nullptr));
      }
      ++skip_depth_;
      return true;
    }
    json* slot = place(std::move(container));
    frames_.push_back(Frame{slot, {}, 0});
    return true;
  }

  bool end() {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    SUANLI_ASSERT(!frames_.empty());
    frames_.pop_back();
    return true;
  }

  size_t depth_max_;
  size_t skip_depth_ = 0;
  json root_;
  std::vector<Frame> frames_;
  std::vector<JsonAnomaly> anomalies_;
  std::string error_;
};

}  // namespace

std::optional<StrictJsonAll> parse_strict_all(std::string_view text, std::string* error,
                                              size_t depth_max) {
  StrictHandler handler(depth_max);
  bool ok = json::sax_parse(text.begin(), text.end(), &handler, json::input_format_t::json,
                            /*strict=*/true);
  if (!ok) {
    if (error != nullptr) *error = handler.error().empty() ? "not JSON" : handler.error();
    return std::nullopt;
  }
  return StrictJsonAll{std::move(handler.root()), std::move(handler.anomalies())};
}

std::optional<StrictJson> parse_strict(std::string_view text, std::string* error,
                                       size_t depth_max) {
  auto all = parse_strict_all(text, error, depth_max);
  if (!all) return std::nullopt;
  StrictJson out{std::move(all->value), std::nullopt};
  if (!all->anomalies.empty()) out.anomaly = std::move(all->anomalies.front());
  return out;
}

std::optional<JsonAnomaly> anomaly_within(const std::vector<JsonAnomaly>& anomalies,
                                          std::string_view path) {
  for (const JsonAnomaly& a : anomalies) {
    std::string_view p = a.path;
    if (path.empty()) return a;
    if (p.substr(0, path.size()) != path) continue;
    std::string_view rest = p.substr(path.size());
    if (rest.empty()) return JsonAnomaly{"", a.message};
    if (rest.front() == '.') return JsonAnomaly{std::string(rest.substr(1)), a.message};
    if (rest.front() == '[') return JsonAnomaly{std::string(rest), a.message};
  }
  return std::nullopt;
}

}  // namespace suanli::ledger
