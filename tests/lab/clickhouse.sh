# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# clickhouse.sh - a clickhouse-server of the test's own, on loopback;
# sourced after lab.sh (it registers its cleanup with lab_on_exit):
#
#	. "$(dirname "$0")/clickhouse.sh"
#	ch_start			# running, docs/clickhouse/schema.sql loaded
#	ch_start --https		# the same, and HTTPS on a port of its own
#	ch_tls_cert DNS:other.example	# another server certificate (then ch_restart)
#	ch_query 'SELECT count() FROM capd.files FINAL'	# the answer on stdout
#	ch_insert capd.files_local rows.json	# JSONEachRow rows from a file
#	ch_restart			# stopped and started on the same data
#	ch_freeze; ch_wait_request; ch_thaw	# a client held mid-request
#	ch_stop				# SIGTERM; ch_start starts it again
#
# The server runs as user clickhouse (setpriv, as the Debian package's unit
# does) with a configuration generated here: its data, temporary and log
# directories in a temp dir of its own (the server cannot enter LAB_TMP,
# which is root's), HTTP and native ports that nothing listens on, one user
# with a password (CH_USER, CH_PASSWORD) and the cluster capd_cluster of one
# shard, this server, so that the schema's Distributed tables work.  Its
# clock is UTC.  The pid it started is the only one it stops; the temp dir
# goes at exit, whatever the verdict.
#
# With --https the server also serves HTTPS on CH_HTTPS_PORT (CH_HTTPS_URL,
# https://127.0.0.1:PORT/) with a certificate for 127.0.0.1 and localhost,
# signed by a CA made for the test (CH_CA, its certificate; P-256 keys,
# valid for a day) in CH_DIR/tls; clients present no certificate.
#
# Sets CH_URL (http://127.0.0.1:PORT/), CH_HTTP_PORT, CH_TCP_PORT, CH_DIR,
# CH_PID, CH_USER, CH_PASSWORD.  Needs clickhouse-server, curl, ss, setpriv
# (and openssl for --https).

CH_SERVER=${CH_SERVER:-/usr/sbin/clickhouse-server}
_CH_DOCS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/clickhouse
CH_SCHEMA=$_CH_DOCS/schema.sql
CH_QUERIES=$_CH_DOCS/queries.sql
CH_DIR='' CH_PID='' CH_URL='' CH_HTTP_PORT='' CH_TCP_PORT=''
CH_HTTPS_PORT='' CH_HTTPS_URL='' CH_CA=''
CH_USER=capd_test
CH_PASSWORD=''

# ch_require: skip the test where no server can be run.
ch_require()
{
	[[ -x $CH_SERVER ]] ||
		lab_skip "needs $CH_SERVER: apt-get install clickhouse-server"
	getent passwd clickhouse >/dev/null ||
		lab_skip "needs the user clickhouse (the clickhouse-server package makes it)"
	lab_require_cmd curl ss setpriv
}

# A TCP port on 127.0.0.1 that nothing listens on and that is none of SKIP.
_ch_free_port()
{
	local p

	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 30000))
		[[ " $* " != *" $p "* ]] || continue
		[[ -z $(ss -Hltn "sport = :$p") ]] && { echo "$p"; return 0; }
	done
	lab_fail "no free TCP port found for clickhouse-server"
}

# The HTTPS part of config.xml, where asked for.  No dhParamsFile: with
# ECDHE (and an EC key) no DH parameters are used.
_ch_config_https()
{
	[[ -n $CH_HTTPS_PORT ]] || return 0
	cat <<XML
    <https_port>$CH_HTTPS_PORT</https_port>
    <openSSL>
        <server>
            <certificateFile>$CH_DIR/tls/server.crt</certificateFile>
            <privateKeyFile>$CH_DIR/tls/server.key</privateKeyFile>
            <verificationMode>none</verificationMode>
            <loadDefaultCAFile>false</loadDefaultCAFile>
            <cacheSessions>false</cacheSessions>
            <disableProtocols>sslv2,sslv3</disableProtocols>
            <preferServerCiphers>true</preferServerCiphers>
        </server>
    </openSSL>
XML
}

# ch_tls_cert SAN...: a new server certificate (and key) for the
# subjectAltNames SAN (DNS:NAME, IP:ADDRESS), signed by the test's CA; the
# server reads it when next started (ch_restart).
ch_tls_cert()
{
	local t=$CH_DIR/tls san

	[[ -f $t/ca.key ]] || lab_fail "ch_tls_cert: no test CA (ch_start --https)"
	san=$(IFS=,; echo "$*")
	if ! openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$t/server.key" -out "$t/server.csr" -subj "/CN=${1#*:}" 2>>"$t/openssl.log" ||
	   ! openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" \
		-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 1 \
		-extfile <(printf 'subjectAltName = %s\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n' "$san") \
		-out "$t/server.crt" 2>>"$t/openssl.log"; then
		lab_fail "openssl: no server certificate for $san: $(tail -n 5 "$t/openssl.log")"
	fi
	chown clickhouse:clickhouse "$t/server.key" "$t/server.crt"
	chmod 0600 "$t/server.key"
}

# The test's CA (CH_CA) and a server certificate for 127.0.0.1, localhost.
_ch_tls_init()
{
	local t=$CH_DIR/tls

	lab_require_cmd openssl
	install -d -m 0750 "$t"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$t/ca.key" -out "$t/ca.crt" -days 1 -subj "/CN=capd lab test CA $LAB_RUN_ID" \
		-addext 'basicConstraints = critical,CA:TRUE' \
		-addext 'keyUsage = critical,keyCertSign,cRLSign' 2>>"$t/openssl.log" ||
		lab_fail "openssl: no test CA: $(tail -n 5 "$t/openssl.log")"
	# shellcheck disable=SC2034 # the tests' to use
	CH_CA=$t/ca.crt
	ch_tls_cert IP:127.0.0.1 DNS:localhost
}

_ch_config()
{
	cat >"$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$CH_DIR/log/server.log</log>
        <errorlog>$CH_DIR/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$CH_HTTP_PORT</http_port>
    <tcp_port>$CH_TCP_PORT</tcp_port>
$(_ch_config_https)
    <path>$CH_DIR/data/</path>
    <tmp_path>$CH_DIR/tmp/</tmp_path>
    <user_files_path>$CH_DIR/user_files/</user_files_path>
    <users_config>$CH_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>capd</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>20</max_concurrent_queries>
    <remote_servers>
        <capd_cluster>
            <shard>
                <replica>
                    <host>127.0.0.1</host>
                    <port>$CH_TCP_PORT</port>
                    <user>$CH_USER</user>
                    <password>$CH_PASSWORD</password>
                </replica>
            </shard>
        </capd_cluster>
    </remote_servers>
</yandex>
XML
	cat >"$CH_DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <$CH_USER>
            <password_sha256_hex>$(printf %s "$CH_PASSWORD" | sha256sum | cut -d' ' -f1)</password_sha256_hex>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
            <allow_databases>
                <database>capd</database>
            </allow_databases>
        </$CH_USER>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
XML
}

# Kill the server this file started, if it runs (SIGTERM, then SIGKILL
# after 20 s), and reap it.
_ch_kill()
{
	local pid=$CH_PID

	[[ -n $pid ]] || return 0
	CH_PID=
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -CONT "$pid" 2>/dev/null || true # if ch_freeze stopped it
	for _ in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# _ch_run: start the server on CH_DIR's configuration, wait (up to 60 s)
# until SELECT 1 answers over HTTP (and over HTTPS where it serves it).
_ch_run()
{
	local i

	setpriv --reuid=clickhouse --regid=clickhouse --init-groups \
		"$CH_SERVER" --config-file="$CH_DIR/config.xml" \
		>>"$CH_DIR/log/stdout" 2>&1 </dev/null &
	CH_PID=$!
	for i in $(seq 600); do
		[[ $(ch_query 'SELECT 1' 2>/dev/null) == 1 ]] && _ch_https_up && return 0
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$CH_DIR/log/server.err.log" "$CH_DIR/log/stdout" >&2 2>/dev/null || true
	_ch_kill
	lab_fail "clickhouse-server did not answer SELECT 1 on $CH_URL within ${i}00 ms"
}

# Whether SELECT 1 answers over HTTPS (true where HTTPS is not served);
# whatever name its certificate has (ch_tls_cert): the tests check that.
_ch_https_up()
{
	[[ -z $CH_HTTPS_PORT ]] && return 0
	[[ $(curl -sS --max-time 5 --insecure -H "X-ClickHouse-User: $CH_USER" \
		-H "X-ClickHouse-Key: $CH_PASSWORD" --data-binary 'SELECT 1' "$CH_HTTPS_URL" \
		2>/dev/null) == 1 ]]
}

# ch_start [--https]: a new server with the schema loaded.
ch_start()
{
	[[ -z $CH_DIR ]] || lab_fail "ch_start called twice"
	[[ $# == 0 || $* == --https ]] || lab_fail "ch_start: unknown arguments: $*"
	ch_require
	CH_DIR=$(mktemp -d "/tmp/capd-lab-$LAB_RUN_ID.ch.XXXXXX")
	lab_on_exit rm -rf "$CH_DIR"
	lab_on_exit _ch_kill
	mkdir -p "$CH_DIR"/{data,tmp,user_files,log}
	CH_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	CH_HTTP_PORT=$(_ch_free_port)
	CH_TCP_PORT=$(_ch_free_port "$CH_HTTP_PORT")
	CH_URL=http://127.0.0.1:$CH_HTTP_PORT/
	if [[ ${1:-} == --https ]]; then
		CH_HTTPS_PORT=$(_ch_free_port "$CH_HTTP_PORT" "$CH_TCP_PORT")
		CH_HTTPS_URL=https://127.0.0.1:$CH_HTTPS_PORT/
		_ch_tls_init
	fi
	_ch_config
	chown -R clickhouse:clickhouse "$CH_DIR"
	chmod 0750 "$CH_DIR"
	_ch_run
	ch_load "$CH_SCHEMA"
	lab_log "clickhouse-server $(ch_query 'SELECT version()') on $CH_URL${CH_HTTPS_URL:+ and $CH_HTTPS_URL}, pid $CH_PID"
}

# ch_stop: SIGTERM to the server, wait until it is gone.
ch_stop()
{
	[[ -n $CH_PID ]] || lab_fail "ch_stop: no server running"
	_ch_kill
}

# ch_restart: stop it if it runs, start it again on the same data.
ch_restart()
{
	_ch_kill
	_ch_run
}

# ch_freeze, ch_thaw: SIGSTOP and SIGCONT to the server.  A frozen server
# still takes connections (the kernel's backlog) and requests (socket
# buffers) but answers none: a client is held in the middle of a request.
ch_freeze()
{
	kill -STOP "$CH_PID" || lab_fail "ch_freeze: no server"
}

ch_thaw()
{
	kill -CONT "$CH_PID" || lab_fail "ch_thaw: no server"
}

# ch_wait_request [SECONDS]: wait (default 10 s) until a request waits
# unread on the server's HTTP port (a connection with bytes in its receive
# queue): a client is held in the middle of it by ch_freeze.
ch_wait_request()
{
	local i

	for ((i = 0; i < ${1:-10} * 20; i++)); do
		ss -Htn state established "( sport = :$CH_HTTP_PORT )" | awk '$1 > 0 { f = 1 } END { exit !f }' &&
			return 0
		sleep 0.05
	done
	lab_fail "no request came to the frozen server within ${1:-10} s"
}

# ch_query SQL: run SQL (one statement) as CH_USER; its output on stdout.
# Fails (returns non-zero, ClickHouse's message on stderr) on an error.
ch_query()
{
	curl -sS --fail-with-body --max-time 60 -H "X-ClickHouse-User: $CH_USER" \
		-H "X-ClickHouse-Key: $CH_PASSWORD" --data-binary "$1" "$CH_URL"
}

# ch_insert TABLE FILE: insert FILE's JSONEachRow rows into TABLE.
ch_insert()
{
	curl -sS --fail-with-body --max-time 60 -H "X-ClickHouse-User: $CH_USER" \
		-H "X-ClickHouse-Key: $CH_PASSWORD" --data-binary "@$2" \
		"${CH_URL}?query=$(_ch_urlencode "INSERT INTO $1 FORMAT JSONEachRow")"
}

_ch_urlencode()
{
	local s=$1 i c out=

	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c"; out+=$c ;;
		esac
	done
	echo "$out"
}

# ch_load FILE: run FILE's statements one by one (each ends with ";" at the
# end of a line; lines of "--" comments only are left out).
ch_load()
{
	local stmt='' line

	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line =~ ^[[:space:]]*(--.*)?$ ]] && continue
		stmt+=$line$'\n'
		if [[ $line =~ \;[[:space:]]*$ ]]; then
			ch_query "$stmt" >/dev/null || lab_fail "$1: this statement failed: $stmt"
			stmt=
		fi
	done <"$1"
	[[ -z $stmt ]] || lab_fail "$1: a statement without its closing \";\": $stmt"
}

# ch_named NAME [KEY=VALUE...]: the query "-- name: NAME" of
# docs/clickhouse/queries.sql with each {KEY} replaced by VALUE, without
# its comments and final ";" (so that a FORMAT clause may follow).
ch_named()
{
	local name=$1 sql kv
	shift

	sql=$(awk -v name="$name" '
		$0 == "-- name: " name { on = 1; next }
		on && /^[[:space:]]*--/ { next }
		on { print; if ($0 ~ /;[[:space:]]*$/) exit }' "$CH_QUERIES")
	[[ -n $sql ]] || lab_fail "no query \"$name\" in $CH_QUERIES"
	for kv in "$@"; do
		sql=${sql//\{${kv%%=*}\}/${kv#*=}}
	done
	[[ $sql != *\{[A-Z0-9]*\}* ]] || lab_fail "$name: a placeholder left: $sql"
	printf '%s\n' "${sql%;}"
}
