#pragma once

#include <httplib.h>

#include <string>

#include "emulator/files_api_error.h"
#include "emulator/volume_path.h"
#include "emulator/volume_store.h"

// The bodies of the Files API answers, shaped like a real workspace's (docs/volumes-api.md).
namespace emulator::files {

// {"error_code","message","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",
// "reason","domain":"filesystem.databricks.com"}]} with the error's status; no details when the
// contract names no reason. A 416 also says the file's size in Content-Range.
void answer_error(httplib::Response& res, const FilesApiError& e);

// {"contents":[DirectoryEntry...],"next_page_token":"..."}: a DirectoryEntry is {"path","name",
// "is_directory","file_size" (files only),"last_modified" (ms)}. An empty page without a token is
// {}: like DBFS's list, the service leaves out what is empty.
std::string listing_body(const VolumePath& dir, const VolumePage& page,
                         const std::string& next_page_token);

}  // namespace emulator::files
