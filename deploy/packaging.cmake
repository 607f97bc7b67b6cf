# packaging.cmake -- Debian packages with CPack (cpack -G DEB, or make package):
#   tonghop-server  tonghopd, its systemd unit, /etc/tonghop/tonghopd.conf
#                   (a conffile), the system user tonghopd (postinst), tonghopd(8)
#   tonghop-client  tonghop, tonghop(1), bash completion, the systemd user
#                   timer tonghop-sync.timer (tonghop sync every 15 minutes)
#   tonghop-common  the message catalogues both programs read (one file may
#                   belong to one package only)
# The library dependencies (libzmq5, libpq5, libprotobuf-c1, libjson-c5,
# libuuid1...) are computed by dpkg-shlibdeps from the binaries.
#
# The files only a package installs (the units, /etc, compressed man pages,
# changelog and copyright) are in components that `cmake --install` leaves
# out (EXCLUDE_FROM_ALL), and the packages leave out the plain man pages
# (components server_man, client_man): `cmake --install` installs what it
# always did.

set(TH_DEPLOY ${CMAKE_SOURCE_DIR}/deploy)
set(TH_PACKAGE_MAINTAINER "tonghop developers <tonghop@example.org>"
    CACHE STRING "Maintainer of the Debian packages: the office that builds them")
set(TH_PACKAGE_REVISION 1 CACHE STRING "Debian revision of the packages (0.1.0-REVISION)")

# Debian wants the man pages and a changelog compressed (gzip -9n): made at
# build time, for the packages only.
set(TH_PKG_DOC ${CMAKE_BINARY_DIR}/package-doc)
string(TIMESTAMP th_pkg_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE ${TH_PKG_DOC}/src/changelog.Debian
     "tonghop (${PROJECT_VERSION}-${TH_PACKAGE_REVISION}) unstable; urgency=medium\n\n"
     "  * tonghop ${PROJECT_VERSION}, packaged with CPack (deploy/packaging.cmake).\n\n"
     " -- ${TH_PACKAGE_MAINTAINER}  ${th_pkg_date}\n")
set(th_pkg_gz "")
foreach(f ${TH_PKG_DOC}/src/changelog.Debian ${TH_DEPLOY}/man/tonghop.1 ${TH_DEPLOY}/man/tonghopd.8
          ${TH_DEPLOY}/man/tonghop-backup.8)
  get_filename_component(n ${f} NAME)
  add_custom_command(OUTPUT ${TH_PKG_DOC}/${n}.gz
                     COMMAND ${CMAKE_COMMAND} -E copy ${f} ${TH_PKG_DOC}/${n}
                     COMMAND gzip -9nf ${TH_PKG_DOC}/${n}
                     DEPENDS ${f} COMMENT "gzip ${n}")
  list(APPEND th_pkg_gz ${TH_PKG_DOC}/${n}.gz)
endforeach()
add_custom_target(th_package_doc ALL DEPENDS ${th_pkg_gz})

install(FILES ${TH_PKG_DOC}/tonghopd.8.gz ${TH_PKG_DOC}/tonghop-backup.8.gz DESTINATION share/man/man8
        COMPONENT server_system EXCLUDE_FROM_ALL)
install(FILES ${TH_PKG_DOC}/tonghop.1.gz DESTINATION share/man/man1 COMPONENT client_system EXCLUDE_FROM_ALL)
foreach(c server client common)
  install(FILES ${TH_PKG_DOC}/changelog.Debian.gz ${TH_DEPLOY}/debian/copyright
          DESTINATION share/doc/tonghop-${c} COMPONENT ${c}_system EXCLUDE_FROM_ALL)
endforeach()
install(FILES ${TH_DEPLOY}/systemd/tonghopd.service DESTINATION lib/systemd/system
        COMPONENT server_system EXCLUDE_FROM_ALL)
install(FILES ${TH_DEPLOY}/tonghopd.conf DESTINATION /etc/tonghop
        COMPONENT server_system EXCLUDE_FROM_ALL)
install(FILES ${TH_DEPLOY}/systemd/tonghop-sync.service ${TH_DEPLOY}/systemd/tonghop-sync.timer
        DESTINATION lib/systemd/user COMPONENT client_system EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tonghop)
set(CPACK_PACKAGE_VENDOR "tonghop developers")
set(CPACK_PACKAGE_CONTACT "${TH_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENTS_ALL server server_system client client_system common common_system)
foreach(c server client common)
  set(CPACK_COMPONENT_${c}_GROUP tonghop-${c})
  string(TOUPPER ${c} C)
  set(CPACK_COMPONENT_${C}_GROUP tonghop-${c})
  set(CPACK_COMPONENT_${C}_SYSTEM_GROUP tonghop-${c})
endforeach()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # tonghop-server_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${TH_PACKAGE_REVISION})
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(v "${PROJECT_VERSION}-${TH_PACKAGE_REVISION}")
set(CPACK_DEBIAN_TONGHOP-SERVER_PACKAGE_NAME tonghop-server)
set(CPACK_DEBIAN_TONGHOP-SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TONGHOP-SERVER_PACKAGE_DEPENDS "adduser, tonghop-common (= ${v})")
set(CPACK_DEBIAN_TONGHOP-SERVER_PACKAGE_RECOMMENDS "postgresql (>= 15)")
set(CPACK_DEBIAN_TONGHOP-SERVER_DESCRIPTION
    "aggregation server for social-work results (tonghopd)
tonghopd stores the plans and the results that communes send in
PostgreSQL and answers reports rolled up the administrative unit tree.
Clients (tonghop-client) talk to it over encrypted ZeroMQ.

The package installs the systemd unit tonghopd.service (not enabled) and
/etc/tonghop/tonghopd.conf, and creates the system user tonghopd.")
set(CPACK_DEBIAN_TONGHOP-SERVER_PACKAGE_CONTROL_EXTRA
    ${TH_DEPLOY}/debian/server/postinst ${TH_DEPLOY}/debian/server/postrm ${TH_DEPLOY}/debian/server/conffiles)

set(CPACK_DEBIAN_TONGHOP-CLIENT_PACKAGE_NAME tonghop-client)
set(CPACK_DEBIAN_TONGHOP-CLIENT_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TONGHOP-CLIENT_PACKAGE_DEPENDS "tonghop-common (= ${v})")
# Chromium prints the reports as PDF (tonghop report --format pdf).
set(CPACK_DEBIAN_TONGHOP-CLIENT_PACKAGE_SUGGESTS "chromium, fonts-liberation2")
set(CPACK_DEBIAN_TONGHOP-CLIENT_DESCRIPTION
    "client for sending social-work results (tonghop)
tonghop sends a commune's or district's results to the tonghop server,
keeps them queued while the server cannot be reached, and reads reports,
plans and deadlines.

The systemd user timer tonghop-sync.timer sends what is queued every 15
minutes (systemctl --user enable --now tonghop-sync.timer).")

set(CPACK_DEBIAN_TONGHOP-COMMON_PACKAGE_NAME tonghop-common)
set(CPACK_DEBIAN_TONGHOP-COMMON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_TONGHOP-COMMON_PACKAGE_SECTION localization)
set(CPACK_DEBIAN_TONGHOP-COMMON_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_TONGHOP-COMMON_DESCRIPTION
    "message catalogues for tonghop and tonghopd
The Vietnamese texts of the tonghop client and server.")

include(CPack)
