/* catalogue_cmd.h -- the client's catalogue command:
 *   tonghop catalogue publish FILE.json    send the indicator catalogue file
 *                                          (checked here first)
 * Returns an exit code (request.h). */
#ifndef TH_CATALOGUE_CMD_H
#define TH_CATALOGUE_CMD_H

#include "transport.h"

int th_catalogue_cmd_publish(th_transport *tc, const char *path);

#endif
