// The fixture of the contract suites: each test runs once per backend (TEST_P, instantiated over
// TestBackend::Names()) on an empty catalog and one store beside it. Test code only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "catalog/test_backends.h"

namespace triage::catalog {

// `kMake` is the TestBackend method that builds the store over the catalog (TestBackend::Users, ::Undo, ...).
template <typename Store, std::unique_ptr<Store> (TestBackend::*kMake)(Catalog&)>
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = TestBackend::Make(GetParam());
    auto c = backend_->Open();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    store_ = ((*backend_).*kMake)(*catalog_);
  }
  void TearDown() override {
    store_.reset();
    catalog_.reset();
    backend_.reset();
  }

  std::unique_ptr<TestBackend> backend_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Store> store_;
};

// Runs every TEST_P of `fixture` on each backend, named after it ("sqlite", "postgres").
#define TRIAGE_ON_EVERY_BACKEND(fixture)                                                                    \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture, ::testing::ValuesIn(::triage::catalog::TestBackend::Names()), \
                           [](const auto& info) { return info.param; })

}  // namespace triage::catalog
