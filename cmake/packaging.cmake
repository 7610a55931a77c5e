# Install rules and the Debian package (cpack -G DEB in the build directory).
# The package installs for prefix /usr; the system files (units, sysusers,
# tmpfiles, /etc) go to their absolute Debian bookworm places. README "For
# operators" says what goes where and why.
include(GNUInstallDirs)

set(IOC_SHARE_DIR "${CMAKE_INSTALL_DATADIR}/ioc-dti")   # /usr/share/ioc-dti in the package

# Programs operators run: the gateway, the agencies' client, the simulator
# (a smoke test of a fresh install). Benchmark drivers are not installed.
install(TARGETS ioc-gateway ioc-push ioc-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS deploy/backup.sh DESTINATION ${CMAKE_INSTALL_SBINDIR} RENAME ioc-dti-backup)
install(PROGRAMS deploy/restore.sh DESTINATION ${CMAKE_INSTALL_SBINDIR} RENAME ioc-dti-restore)
install(PROGRAMS deploy/package/rolling-restart.sh DESTINATION ${CMAKE_INSTALL_SBINDIR} RENAME ioc-dti-rolling-restart)

# The wall, and the contract beside it: the gateway serves
# <web_root>/../docs/openapi.json, so web/ and docs/ stay siblings.
install(DIRECTORY web/ DESTINATION ${IOC_SHARE_DIR}/web)
install(FILES docs/openapi.json DESTINATION ${IOC_SHARE_DIR}/docs)

# Every province's configuration as an example, the nginx front, and what
# other parts of deploy/ ship for monitoring when present.
install(DIRECTORY deploy/config/ DESTINATION ${IOC_SHARE_DIR}/config FILES_MATCHING PATTERN "*.json" PATTERN "*.md")
install(FILES deploy/nginx/ioc-dti.conf DESTINATION ${IOC_SHARE_DIR}/nginx)
foreach(extra prometheus grafana)
  if(IS_DIRECTORY "${PROJECT_SOURCE_DIR}/deploy/${extra}")
    install(DIRECTORY deploy/${extra}/ DESTINATION ${IOC_SHARE_DIR}/${extra})
  endif()
endforeach()

# Redis: the ioc-dti settings (package-owned, updated on upgrade), the ACL
# template postinst fills with generated passwords, and the instance file
# Debian's own redis-server@.service template reads as redis-server@ioc.
install(FILES deploy/redis.conf DESTINATION ${IOC_SHARE_DIR}/redis RENAME ioc-dti.conf)
install(FILES deploy/redis-users.acl DESTINATION ${IOC_SHARE_DIR}/redis)
install(FILES deploy/redis/redis-ioc.conf DESTINATION /etc/redis)

# systemd: the gateway (one, or several as ioc-gateway@PORT), its user and directories.
install(FILES deploy/systemd/ioc-gateway.service deploy/systemd/ioc-gateway@.service
        DESTINATION /lib/systemd/system)
install(FILES deploy/package/sysusers.conf DESTINATION lib/sysusers.d RENAME ioc-dti.conf)
install(FILES deploy/package/tmpfiles.conf DESTINATION lib/tmpfiles.d RENAME ioc-dti.conf)

# /etc/ioc-dti/gateway.json: the shipped province (Quảng Trị) with the server
# block set for this layout: loopback, the packaged web root, the Redis
# instance and its ACL user. Made from deploy/config/quang-tri.json at
# configure time so the two never drift.
function(ioc_packaged_config source output)
  file(READ "${source}" text)
  # The server object's text, to its matching brace (braces inside strings skipped).
  string(FIND "${text}" "\"server\"" at)
  if(at LESS 0)
    message(FATAL_ERROR "packaging: no \"server\" block in ${source}")
  endif()
  string(SUBSTRING "${text}" ${at} -1 rest)
  string(LENGTH "${rest}" length)
  set(depth 0)
  set(in_string FALSE)
  set(escaped FALSE)
  set(end -1)
  set(i 8)  # past "server"
  while(i LESS length AND end LESS 0)
    string(SUBSTRING "${rest}" ${i} 1 c)
    if(in_string)
      if(escaped)
        set(escaped FALSE)
      elseif(c STREQUAL "\\")
        set(escaped TRUE)
      elseif(c STREQUAL "\"")
        set(in_string FALSE)
      endif()
    elseif(c STREQUAL "\"")
      set(in_string TRUE)
    elseif(c STREQUAL "{")
      math(EXPR depth "${depth} + 1")
    elseif(c STREQUAL "}")
      math(EXPR depth "${depth} - 1")
      if(depth EQUAL 0)
        math(EXPR end "${i} + 1")
      endif()
    endif()
    math(EXPR i "${i} + 1")
  endwhile()
  if(end LESS 0)
    message(FATAL_ERROR "packaging: the \"server\" block of ${source} does not close")
  endif()
  string(SUBSTRING "${rest}" 0 ${end} block)
  set(new "${block}")
  foreach(setting
      "listen_address=\"127.0.0.1\"" "port=8080" "web_root=\"/usr/share/ioc-dti/web\""
      "redis_address=\"127.0.0.1:6380\"" "redis_user=\"ioc-gateway\""
      "redis_password_file=\"/etc/ioc-dti/redis-password\"")
    string(REGEX MATCH "^([a-z_]+)=(.*)$" _ "${setting}")
    set(key "${CMAKE_MATCH_1}")
    set(value "${CMAKE_MATCH_2}")
    string(REGEX MATCH "\"${key}\"[ \t]*:[ \t]*(\"[^\"]*\"|[0-9.]+|true|false)" found "${new}")
    if(found)
      string(REPLACE "${found}" "\"${key}\": ${value}" new "${new}")
    else()
      string(REGEX REPLACE "^(\"server\"[^{]*{)" "\\1\n    \"${key}\": ${value}," new "${new}")
    endif()
  endforeach()
  string(REPLACE "${block}" "${new}" text "${text}")
  file(WRITE "${output}.tmp" "${text}")
  configure_file("${output}.tmp" "${output}" COPYONLY)
  set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
endfunction()
ioc_packaged_config("${PROJECT_SOURCE_DIR}/deploy/config/quang-tri.json" "${PROJECT_BINARY_DIR}/packaging/gateway.json")
install(FILES "${PROJECT_BINARY_DIR}/packaging/gateway.json" DESTINATION /etc/ioc-dti)

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ioc-dti)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "ioc-dti operators <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "live digital-transformation indicators for a provincial IOC")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ioc-gateway ingests agencies' counts over WebSocket and HTTP, keeps rolling\n\
estimates and the DTI/766 nowcast, stores accepted batches in Redis and\n\
pushes them to the wall display it serves. Includes ioc-push (the agencies'\n\
client), ioc-sim, systemd units and a Redis instance (redis-server@ioc).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from dpkg-shlibdeps; the rest the scripts and units use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "redis-server (>= 5:7.0), redis-tools (>= 5:7.0), systemd | systemd-standalone-sysusers, systemd | systemd-standalone-tmpfiles, util-linux")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx-light | nginx")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Copied (with their modes: scripts 0755, conffiles 0644) so an edit re-runs configure.
foreach(control conffiles postinst prerm postrm)
  configure_file(deploy/package/${control} "${PROJECT_BINARY_DIR}/packaging/${control}" COPYONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${PROJECT_BINARY_DIR}/packaging/conffiles" "${PROJECT_BINARY_DIR}/packaging/postinst"
  "${PROJECT_BINARY_DIR}/packaging/prerm" "${PROJECT_BINARY_DIR}/packaging/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
