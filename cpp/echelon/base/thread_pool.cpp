#include "echelon/base/thread_pool.hpp"

#include <stdexcept>
#include <string>
#include <system_error>

namespace echelon {

ThreadPool::ThreadPool(int num_threads) {
    try {
        for (int t = 1; t < num_threads; ++t) workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error& e) {
        // The destructor does not run for a half-built object: stop and join the workers that did
        // start here, or the joinable std::threads left in workers_ would terminate the process.
        const auto started = workers_.size() + 1;
        stop_workers();
        throw std::runtime_error("could not start worker thread " + std::to_string(started) + " of " +
                                 std::to_string(num_threads) + " (" + e.what() +
                                 "): the process is out of threads or memory; use fewer threads");
    }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
}

void ThreadPool::drain() {
    for (int i = next_.fetch_add(1); i < job_size_.load(); i = next_.fetch_add(1)) {
        try {
            (*job_.load())(i);
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!error_) error_ = std::current_exception();
        }
    }
}

void ThreadPool::worker_loop() {
    uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_) return;
            seen = generation_;
            ++busy_;
        }
        drain();
        {
            std::lock_guard lock(mutex_);
            --busy_;
        }
        done_.notify_one();
    }
}

void ThreadPool::parallel_for(int n, const std::function<void(int)>& fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        for (int i = 0; i < n; ++i) fn(i);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        job_ = &fn;
        job_size_ = n;
        next_.store(0);
        error_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    drain();
    {
        // Wait until every worker that joined this generation has left drain(). A worker that
        // wakes late finds the counter exhausted and does nothing.
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return busy_ == 0; });
        job_ = nullptr;
    }
    if (error_) std::rethrow_exception(error_);
}

}  // namespace echelon
