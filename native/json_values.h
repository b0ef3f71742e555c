// JSON values read as the Python mappers read them, and Arrow column builders: what the native
// mappings (v1map.cpp, v2map.cpp) share. Header-only: every function is small and inlined.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "native.h"
#include "simdjson.h"

namespace tagscope_native {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// An array or object by value. `for (x : el.get_array().value_unsafe())` iterates a reference into a
// temporary that is gone by then (a crash at -O3): loops take these copies instead.
inline array array_of(const element& el) { return el.get_array().value_unsafe(); }
inline object object_of(const element& el) { return el.get_object().value_unsafe(); }

// A value that is absent, null, or there.
struct Opt {
  bool has = false;
  element el;
};

inline bool present(const Opt& o) { return o.has && o.el.type() != element_type::NULL_VALUE; }

// Python's truthiness of a JSON value; false in `ok` for a value this code does not restate (floats).
inline bool truthy(const Opt& o, bool& ok) {
  if (!present(o)) return false;
  switch (o.el.type()) {
    case element_type::STRING: return !o.el.get_string().value_unsafe().empty();
    case element_type::INT64: return o.el.get_int64().value_unsafe() != 0;
    case element_type::UINT64: return o.el.get_uint64().value_unsafe() != 0;
    case element_type::BOOL: return o.el.get_bool().value_unsafe();
    case element_type::ARRAY: { array a = o.el.get_array().value_unsafe(); return a.begin() != a.end(); }
    case element_type::OBJECT: { object b = o.el.get_object().value_unsafe(); return b.begin() != b.end(); }
    default: ok = false; return false;
  }
}

// Text of a value for `base.as_str`: a non-empty string or a number's decimal digits.
struct Str {
  bool has = false;
  std::string_view s;
  char buf[24];
};

// as_str(value): false in `ok` where this code does not restate it (floats, lists, objects).
inline void as_str(const Opt& o, Str& out, bool& ok) {
  out.has = false;
  if (!present(o)) return;
  switch (o.el.type()) {
    case element_type::STRING: {
      std::string_view v = o.el.get_string().value_unsafe();
      if (!v.empty()) { out.has = true; out.s = v; }
      return;
    }
    case element_type::INT64: {
      auto r = std::to_chars(out.buf, out.buf + sizeof out.buf, o.el.get_int64().value_unsafe());
      out.has = true; out.s = std::string_view(out.buf, r.ptr - out.buf);
      return;
    }
    case element_type::UINT64: {
      auto r = std::to_chars(out.buf, out.buf + sizeof out.buf, o.el.get_uint64().value_unsafe());
      out.has = true; out.s = std::string_view(out.buf, r.ptr - out.buf);
      return;
    }
    case element_type::BOOL: return;  // as_str(True) is None
    default: ok = false; return;
  }
}

// `as_str(a) or as_str(b)`.
inline void as_str_or(const Opt& a, const Opt& b, Str& out, bool& ok) {
  as_str(a, out, ok);
  if (!out.has) as_str(b, out, ok);
}

struct Int {
  bool has = false;
  int64_t v = 0;
};

// as_int(value) for ints, null and booleans; strings and floats are left to Python.
inline void as_int(const Opt& o, Int& out, bool& ok) {
  out.has = false;
  if (!present(o)) return;
  switch (o.el.type()) {
    case element_type::INT64: out.has = true; out.v = o.el.get_int64().value_unsafe(); return;
    case element_type::UINT64: return;  // over 2**63 - 1: as_int gives None
    case element_type::BOOL: return;
    default: ok = false; return;
  }
}

// One pass over an object's fields, picking the named ones; a picked name seen twice is refused
// (orjson keeps the last of repeated keys, simdjson's lookups the first).
template <size_t N>
inline bool pick(const object& obj, const std::string_view (&names)[N], Opt (&out)[N]) {
  for (auto& o : out) o.has = false;
  for (auto field : obj) {
    std::string_view k = field.key;
    for (size_t i = 0; i < N; i++) {
      // length and first byte before memcmp: objects hold many keys this mapping does not read
      if (k.size() == names[i].size() && !k.empty() && k[0] == names[i][0] && k == names[i]) {
        if (out[i].has) return false;
        out[i].has = true;
        out[i].el = field.value;
        break;
      }
    }
  }
  return true;
}


// Arrow builders: a validity byte per row (packed at the end), offsets and bytes.
struct StrCol {
  std::vector<int32_t> off{0};
  std::string data;
  std::vector<uint8_t> valid;
  void null() { off.push_back(static_cast<int32_t>(data.size())); valid.push_back(0); }
  void add(std::string_view s) { data.append(s); off.push_back(static_cast<int32_t>(data.size())); valid.push_back(1); }
  // The last row's null made S (rows that are mostly null: tombstones).
  void set_last(std::string_view s) { off.pop_back(); valid.pop_back(); add(s); }
  void add(const Str& s) { if (s.has) add(s.s); else null(); }
};

struct I64Col {
  std::vector<int64_t> v;
  std::vector<uint8_t> valid;
  void null() { v.push_back(0); valid.push_back(0); }
  void add(int64_t x) { v.push_back(x); valid.push_back(1); }
  void add(const Int& i) { if (i.has) add(i.v); else null(); }
};

struct ListCol {  // lists of non-null strings; a row without a list is an empty list
  std::vector<int32_t> off{0};
  StrCol items;
  void close() { off.push_back(static_cast<int32_t>(items.valid.size())); }
};

// A post as read from one line, before it is appended (a line may still turn out to be Python's).

// What every post row ends with: the verified flag (-1: null) and the three lists read, finished in
// Arrow by formats/list_columns.py.
struct PostLists {
  std::vector<uint8_t> verified, verified_valid;
  ListCol tags, mentions, urls;

  void add(int verified_flag, const std::vector<std::string_view>& t, const std::vector<std::string_view>& m,
           const std::vector<std::string_view>& u) {
    verified.push_back(verified_flag == 1);
    verified_valid.push_back(verified_flag >= 0);
    for (auto v : t) tags.items.add(v);
    tags.close();
    for (auto v : m) mentions.items.add(v);
    mentions.close();
    for (auto v : u) urls.items.add(v);
    urls.close();
  }

  void null() { add(-1, {}, {}, {}); }
};

// A post's kind, by the index the mappings use.
constexpr const char* KINDS[4] = {"original", "reply", "quote", "repost"};

inline int digits(const char* p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Microseconds since the epoch of a calendar time whose fields Python's datetime() takes (year 1..9999,
// a day of that month, hour < 24, minute and second < 60); false for anything datetime() refuses.
inline bool civil_us(int year, int month, int day, int hh, int mm, int ss, int64_t& us) {
  if (year < 1 || month < 1 || month > 12 || day < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
    return false;
  static constexpr int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > mdays[month - 1] + (month == 2 && leap)) return false;
  us = (((days_from_civil(year, month, day) * 24 + hh) * 60 + mm) * 60 + ss) * 1000000;
  return true;
}

inline PyObject* bytes_of(const void* p, size_t n) { return PyBytes_FromStringAndSize(static_cast<const char*>(p), n); }

// Bytes per row -> Arrow bitmap (LSB first).
inline PyObject* bitmap(const std::vector<uint8_t>& bits) {
  std::string out((bits.size() + 7) / 8, '\0');
  for (size_t i = 0; i < bits.size(); i++) if (bits[i]) out[i >> 3] |= static_cast<char>(1u << (i & 7));
  return bytes_of(out.data(), out.size());
}

inline PyObject* str_buffers(const StrCol& c) {
  return Py_BuildValue("(NNN)", bitmap(c.valid), bytes_of(c.off.data(), c.off.size() * 4),
                       bytes_of(c.data.data(), c.data.size()));
}

inline PyObject* i64_buffers(const I64Col& c) {
  return Py_BuildValue("(NN)", bitmap(c.valid), bytes_of(c.v.data(), c.v.size() * 8));
}

inline PyObject* list_buffers(const ListCol& c) {
  return Py_BuildValue("(NN)", bytes_of(c.off.data(), c.off.size() * 4), str_buffers(c.items));
}

inline int put(PyObject* dict, const char* key, PyObject* value) {
  if (value == nullptr) return -1;
  int rc = PyDict_SetItemString(dict, key, value);
  Py_DECREF(value);
  return rc;
}

using StrCols = std::initializer_list<std::pair<const char*, const StrCol*>>;
using IntCols = std::initializer_list<std::pair<const char*, const I64Col*>>;
using ListCols = std::initializer_list<std::pair<const char*, const ListCol*>>;
using Buffers = std::initializer_list<std::pair<const char*, PyObject*>>;

// {name: buffers} of a mapping's columns (BUFFERS: ready Python objects, each reference taken over);
// nullptr with a Python error set if one could not be built.
inline PyObject* columns_dict(StrCols strs, IntCols ints, ListCols lists, Buffers buffers) {
  PyObject* out = PyDict_New();
  bool failed = out == nullptr;
  for (auto& [k, v] : buffers) {
    if (failed) Py_XDECREF(v);
    else failed = put(out, k, v) < 0;
  }
  for (auto& [k, c] : strs) failed = failed || put(out, k, str_buffers(*c)) < 0;
  for (auto& [k, c] : ints) failed = failed || put(out, k, i64_buffers(*c)) < 0;
  for (auto& [k, c] : lists) failed = failed || put(out, k, list_buffers(*c)) < 0;
  if (failed) {
    Py_XDECREF(out);
    return nullptr;
  }
  return out;
}

// The lines of a block handed over from Python as (block, int64 starts, int64 ends), parsed one by one
// on the calling thread's parser. Open and destroy it holding the GIL; object_at() runs without it.
class BlockLines {
 public:
  BlockLines() = default;
  BlockLines(const BlockLines&) = delete;
  BlockLines& operator=(const BlockLines&) = delete;
  ~BlockLines() {
    if (held_) {
      PyBuffer_Release(&block_);
      PyBuffer_Release(&starts_);
      PyBuffer_Release(&ends_);
    }
  }

  // false (a Python error set) unless ARGS are a block under 2 GiB and two offset buffers of one length.
  bool open(PyObject* args, const char* name) {
    if (!PyArg_ParseTuple(args, "y*y*y*", &block_, &starts_, &ends_)) return false;
    held_ = true;
    n_ = static_cast<size_t>(starts_.len) / 8;
    if (static_cast<size_t>(ends_.len) / 8 != n_ || block_.len >= (Py_ssize_t{1} << 31)) {
      PyErr_Format(PyExc_ValueError, "%s(block, starts, ends): int64 offsets of equal length, block < 2 GiB", name);
      return false;
    }
    return true;
  }

  size_t size() const { return n_; }

  // Line I as a JSON object: false when simdjson refuses it or it is not an object, or it opens with a
  // byte-order mark (simdjson skips one, orjson refuses it); BAD when its offsets lie outside the block.
  // simdjson reads up to SIMDJSON_PADDING bytes past a document (their values do not matter): a line
  // with that many bytes of the block after it parses in place, the last ones from a padded copy.
  bool object_at(size_t i, object& obj, bool& bad) {
    const int64_t s = static_cast<const int64_t*>(starts_.buf)[i], e = static_cast<const int64_t*>(ends_.buf)[i];
    if (s < 0 || e < s || e > block_.len) {
      bad = true;
      return false;
    }
    const char* line = static_cast<const char*>(block_.buf) + s;
    const size_t len = static_cast<size_t>(e - s);
    if (e > static_cast<int64_t>(block_.len) - static_cast<int64_t>(simdjson::SIMDJSON_PADDING)) {
      copy_.assign(line, len);
      copy_.append(simdjson::SIMDJSON_PADDING, ' ');
      line = copy_.data();
    }
    if (len >= 3 && std::memcmp(line, "\xEF\xBB\xBF", 3) == 0) return false;
    thread_local simdjson::dom::parser parser;
    element doc;
    return !parser.parse(line, len, false).get(doc) && !doc.get_object().get(obj);
  }

 private:
  Py_buffer block_{}, starts_{}, ends_{};
  bool held_ = false;
  size_t n_ = 0;
  std::string copy_;
};

}  // namespace tagscope_native
