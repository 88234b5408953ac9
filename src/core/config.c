#include "config.h"

#include <string.h>

void tc_config_defaults(struct tc_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = "127.0.0.1:8080";
	c->db = "data/tiemchung.db";
	c->web_dir = "web";
	c->data_dir = "data";
	c->access_log = "-";
	c->threads = 4;
	c->hash_threads = 2;
	c->conn_timeout_s = 30;
	c->shutdown_grace_s = 20;
	c->body_limit = 64 * 1024;
	c->session_idle_s = 30 * 60;
	c->site_session_idle_s = 10 * 60;
	c->session_max_s = 12 * 3600;
	c->login_max_per_user = 5;
	c->login_max_per_addr = 30;
	c->login_window_s = 15 * 60;
	c->otp_max_per_phone = 3;
	c->otp_max_per_addr = 20;
	c->citizen_session_idle_s = 30 * 60;
	c->citizen_session_max_s = 24 * 3600;
}
