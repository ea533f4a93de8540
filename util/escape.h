// Printable forms of arbitrary bytes, for logs, properties and tools.
#pragma once

#include <string>
#include <string_view>

namespace strata {

// Printable ASCII stays as is (backslash doubled); every other byte becomes \xNN.
std::string EscapeBytes(std::string_view bytes);

}  // namespace strata
