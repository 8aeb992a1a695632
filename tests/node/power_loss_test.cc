// Power loss on every node at once (FaultFs): writes stop reaching the
// disk, the nodes are destroyed, and everything not synced is dropped. The
// state database commits without fsync, so it may come back behind its Raft
// log; every transaction acknowledged as committed before the power went
// must still be on every node after the restart, with equal state hashes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tests/node/cluster_util.h"
#include "tests/node/fault_fs.h"

namespace suanli::node::testing {
namespace {

enum class Moment { kDuringLoad, kAfterSnapshot, kIdle };

class PowerLoss {
 public:
  // Snapshots (which flush the state database) every `snapshot_interval`
  // Raft entries; between them the state is in unsynced WAL only.
  PowerLoss(const std::string& name, uint64_t snapshot_interval) : c_(3, temp_dir(name)) {
    for (size_t i = 0; i < 3; ++i) {
      fs_.push_back(std::make_shared<FaultFs>());
      c_.options(i).env = FaultFs::env(fs_.back());
      c_.options(i).snapshot_interval_entries = snapshot_interval;
      c_.options(i).snapshot_keep_entries = 10;
    }
  }

  void run(Moment moment) {
    ASSERT_GE(c_.start_all(), 0);
    std::thread loader([this] { load(); });
    // A failed assertion returns early: the loader must not outlive run().
    std::shared_ptr<void> join_loader(nullptr, [&](void*) {
      stop_ = true;
      if (loader.joinable()) loader.join();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    if (moment == Moment::kAfterSnapshot) {
      for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c_.node(i).take_snapshot());
      const uint64_t index = c_.node(0).node_status()["applied_index"];
      ASSERT_TRUE(eventually([&] { return snapshot_at_least(index); }, 5000));
    }
    if (moment == Moment::kIdle) {
      stop_ = true;
      loader.join();
      const uint64_t height = c_.node(0).applied_height();
      for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(c_.wait_height(i, height, 5000));
    }
    {
      // An acknowledgement recorded before this is one the power loss must keep.
      std::lock_guard lock(mu_);
      frozen_ = true;
      for (auto& fs : fs_) fs->freeze();
    }
    stop_ = true;
    if (loader.joinable()) loader.join();
    for (size_t i = 0; i < 3; ++i) c_.stop(i);
    size_t dropped = 0;
    for (auto& fs : fs_) dropped += fs->power_loss();
    std::printf("  %zu acknowledged, %zu files cut back or removed\n", acked_.size(), dropped);
    ASSERT_GT(acked_.size(), 10u);

    ASSERT_GE(c_.start_all(10000), 0);
    for (size_t i = 0; i < 3; ++i) {
      for (const Hash32& h : acked_) {
        ASSERT_TRUE(eventually([&] { return c_.has_tx(i, h); }, 15000))
            << "node " << i << " lost acknowledged " << to_hex(h);
      }
    }
    // One more block, then every node at the same height and state hash.
    ASSERT_EQ(c_.commit(0, transfer()), std::nullopt);
    ASSERT_TRUE(c_.converged(10000));
    for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(c_.node(i).diverged());
  }

 private:
  ledger::Tx transfer() {
    return c_.make(++n_ % 2 ? "bj-buyer" : "gd-buyer", ledger::TxType::kTransfer,
                   ledger::Transfer{c_.actor("gz-prov").key.pubkey, 1, ""});
  }

  // Submits to the nodes in turn; records each transaction its node reports
  // applied, unless the power already went.
  void load() {
    for (size_t k = 0; !stop_; ++k) {
      const size_t i = k % 3;
      ledger::Tx tx = transfer();
      if (!std::holds_alternative<Hash32>(c_.submit(i, tx))) continue;
      c_.node(i).wait_committed(tx.hash, 10000, [this, h = tx.hash](bool ok) {
        std::lock_guard lock(mu_);
        if (ok && !frozen_) acked_.push_back(h);
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(k % 4 == 0 ? 5 : 0));
    }
  }

  bool snapshot_at_least(uint64_t index) {
    for (size_t i = 0; i < 3; ++i) {
      bool found = false;
      std::error_code ec;
      const auto dir = c_.options(i).config.data_dir + "/snapshots";
      for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") == std::string::npos &&
            std::stoull(name) >= index) {
          found = true;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  Cluster c_;
  std::vector<std::shared_ptr<FaultFs>> fs_;
  int n_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  bool frozen_ = false;         // guarded by mu_
  std::vector<Hash32> acked_;   // guarded by mu_
};

TEST(PowerLossTest, DuringLoadLosesNothingAcknowledged) {
  // No snapshot: the state database comes back at genesis and replays the log.
  PowerLoss("power-loss-load", 100000).run(Moment::kDuringLoad);
}

TEST(PowerLossTest, RightAfterASnapshotLosesNothingAcknowledged) {
  PowerLoss("power-loss-snapshot", 25).run(Moment::kAfterSnapshot);
}

TEST(PowerLossTest, WhenIdleLosesNothingAcknowledged) {
  PowerLoss("power-loss-idle", 40).run(Moment::kIdle);
}

}  // namespace
}  // namespace suanli::node::testing
