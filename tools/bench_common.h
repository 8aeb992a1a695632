// Options and small helpers shared by suanli-bench's parts (tools/bench*.h).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>  // before Asio on g++ 12
#include <vector>
#include "genesis/devnet.h"
#include "genesis/genesis.h"
#include "genesis/node_config.h"
#include "ledger/codec.h"
#include "ledger/crypto.h"
#include "tools/bench_http.h"
extern char** environ;

namespace suanli::bench {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kNodes = 3;
constexpr uint64_t kBuyerBalanceFen = 1000000000;  // ¥10,000,000.00 each
constexpr const char* kChainId = "suanli-bench";

struct Options {
  std::string suanlid;
  std::string out = "bench";
  std::string work_dir;
  std::string commit = "unknown";
  bool quick = false;
  bool keep = false;
  size_t buyers = 1000;
  size_t txs = 0;  // 0: by mode
  size_t clients = 8;
  size_t batch = 200;
  double latency_seconds = 0;  // 0: by mode
  double latency_rate = 0;     // --only latency: this rate instead of half the peak
  double verify_seconds = 2;
  size_t big_state = 0;  // participants (and as many contracts) prefilled; 0: by mode
  // Set: run only this phase (throughput, latency or nosig), print its figures
  // and write no report. For profiling; with --keep the nodes' pids and logs stay.
  std::string only;
};

inline double secs_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

inline uint64_t wall_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// One tx_submit request of a JSON-RPC batch or a single call; tx_json is the
// transaction's JSON text, wait "none" or "committed".
inline std::string submit_request(size_t id, const std::string& tx_json, const char* wait) {
  std::string s = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
                  R"(,"method":"tx_submit","params":{"wait":")" + wait + R"(","tx":)";
  s += tx_json;
  if (std::string_view(wait) == "committed") s += R"(,"timeout_ms":30000)";
  s += "}}";
  return s;
}

inline void say(const char* fmt, auto... args) {
  std::fprintf(stderr, "[bench] ");
  std::fprintf(stderr, fmt, args...);
  std::fprintf(stderr, "\n");
}
inline void say(const char* text) { std::fprintf(stderr, "[bench] %s\n", text); }

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "[bench] error: %s\n", what.c_str());
  std::exit(1);
}


inline Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--suanlid") {
      o.suanlid = need(i);
    } else if (a == "--out") {
      o.out = need(i);
    } else if (a == "--work-dir") {
      o.work_dir = need(i);
    } else if (a == "--commit") {
      o.commit = need(i);
    } else if (a == "--buyers") {
      o.buyers = std::stoul(need(i));
    } else if (a == "--txs") {
      o.txs = std::stoul(need(i));
    } else if (a == "--clients") {
      o.clients = std::stoul(need(i));
    } else if (a == "--batch") {
      o.batch = std::stoul(need(i));
    } else if (a == "--latency-seconds") {
      o.latency_seconds = std::stod(need(i));
    } else if (a == "--latency-rate") {
      o.latency_rate = std::stod(need(i));
    } else if (a == "--big-state") {
      o.big_state = std::stoul(need(i));
    } else if (a == "--verify-seconds") {
      o.verify_seconds = std::stod(need(i));
    } else if (a == "--only") {
      o.only = need(i);
      if (o.only != "throughput" && o.only != "latency" && o.only != "nosig")
        die("--only takes throughput, latency or nosig");
    } else {
      std::fprintf(stderr,
                   "usage: suanli-bench --suanlid PATH [--quick] [--out DIR] [--buyers N] "
                   "[--txs N] [--clients N] [--batch N] [--latency-seconds S] "
                   "[--verify-seconds S] [--work-dir DIR] [--keep] [--commit REV] "
                   "[--only throughput|latency|nosig] [--latency-rate R]\n");
      std::exit(2);
    }
  }
  if (o.suanlid.empty()) die("--suanlid is required");
  if (o.buyers < 2 || o.clients < 1 || o.batch < 1 || o.batch > 1000)
    die("bad --buyers/--clients/--batch");
  if (o.latency_rate < 0 || (o.latency_rate > 0 && o.only != "latency"))
    die("--latency-rate needs --only latency and a rate above 0");
  if (o.txs == 0) o.txs = o.quick ? 60000 : 240000;
  if (o.big_state == 0) o.big_state = o.quick ? 100000 : 1000000;
  if (o.latency_seconds == 0) o.latency_seconds = o.quick ? 15 : 60;
  return o;
}

}  // namespace suanli::bench
