/* Static files of the web UI, with the page security headers. */
#ifndef TC_STATIC_H
#define TC_STATIC_H

#include "request.h"

/* Serves r->path from `root` (GET and HEAD); "/" is index.html. */
tc_err tc_static_serve(struct tc_req *r, const char *root);

/* Adds Content-Security-Policy and the other page headers. */
void tc_static_page_headers(struct MHD_Response *resp, bool tls);

#endif
