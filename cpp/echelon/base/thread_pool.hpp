#pragma once
// A fixed pool of worker threads running parallel_for over worlds. Work is handed out one index
// at a time from an atomic counter; since worlds are independent, results do not depend on which
// thread runs which world.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace echelon {

class ThreadPool {
public:
    // `num_threads` counts the calling thread: 1 means no workers are started. Throws
    // std::runtime_error (after joining the workers already started) when a thread cannot start.
    explicit ThreadPool(int num_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int num_threads() const { return static_cast<int>(workers_.size()) + 1; }
    // Runs fn(i) for i in [0, n); returns when all are done. Exceptions are rethrown here.
    void parallel_for(int n, const std::function<void(int)>& fn);

private:
    void worker_loop();
    void drain();
    void stop_workers();

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::atomic<const std::function<void(int)>*> job_{nullptr};
    std::atomic<int> job_size_{0};
    std::atomic<int> next_{0};
    int busy_ = 0;
    uint64_t generation_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
};

}  // namespace echelon
