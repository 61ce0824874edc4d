#pragma once

#include <httplib.h>

namespace emulator {

// Cuts the connection `req` arrived on so that the client gets no answer at all, not even a
// status line (the reset and lost faults). httplib does not hand its socket to handlers: over
// TLS it is the fd under req.ssl; otherwise it is found among our open fds by its peer and local
// addresses. The socket is shut down with SO_LINGER 0, so the answer httplib writes afterwards
// goes nowhere and its close sends a reset. False if the socket was not found.
bool drop_connection(const httplib::Request& req);

}  // namespace emulator
