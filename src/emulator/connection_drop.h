#pragma once

#include <httplib.h>

namespace emulator {

// Cuts the connection `req` arrived on so that the client gets no answer at all, not even a
// status line (the reset and lost faults). httplib does not hand its socket to handlers: over
// TLS it is the fd under req.ssl; otherwise it is found among our open fds by its peer and local
// addresses. The socket is shut down with SO_LINGER 0, so the answer httplib writes afterwards
// goes nowhere and its close sends a reset. False if the socket was not found.
bool drop_connection(const httplib::Request& req);

// Ends the connection once `res` (with a body in res.body) is sent: for an answer given before
// the request's body was read, when the rest of the connection is that body. httplib keeps a
// connection alive whatever the answer's "Connection: close" says, and would read the body as
// the next request; here the body moves into a content provider that shuts the socket's sending
// side after the last byte, so the client sees the whole answer, then the end. Returns the body
// bytes the provider sends.
uint64_t close_after_answer(const httplib::Request& req, httplib::Response& res);

}  // namespace emulator
