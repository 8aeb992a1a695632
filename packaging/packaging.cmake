# Installation (cmake --install) and the Debian package (CPack, scripts/package.sh).
# With the prefix /usr the configuration goes to /etc/suanli; with any other
# prefix to PREFIX/etc/suanli.
include(GNUInstallDirs)

set(SUANLI_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(SUANLI_ETC ${CMAKE_INSTALL_FULL_SYSCONFDIR}/suanli)
set(SUANLI_DOCDIR ${CMAKE_INSTALL_FULL_DATADIR}/doc/suanli)
configure_file(${PROJECT_SOURCE_DIR}/packaging/suanlid.service.in
               ${PROJECT_BINARY_DIR}/packaging/suanlid.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/packaging/node.json.in
               ${PROJECT_BINARY_DIR}/packaging/node.json @ONLY)

install(TARGETS suanlid suanli-wallet suanli-genesis RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_BINARY_DIR}/packaging/suanlid.service
        DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
install(FILES ${PROJECT_BINARY_DIR}/packaging/node.json DESTINATION ${SUANLI_ETC})
file(GLOB SUANLI_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
# docs/ keeps its folder: README.md's links (docs/...) work, and docs/README.md
# does not overwrite the top README.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${SUANLI_DOCDIR})
install(FILES ${SUANLI_DOCS} DESTINATION ${SUANLI_DOCDIR}/docs)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME suanli)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "suanli maintainers <suanli@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "suanli ledger node for compute vouchers and compute trading")
set(CPACK_PACKAGE_DESCRIPTION
    "suanli records compute contracts, escrow, deliveries, compute vouchers and \
cross-province settlement on a permissioned, Raft-replicated ledger. This package \
holds the node (suanlid, with a systemd unit), the wallet (suanli-wallet), the \
genesis tool (suanli-genesis) and the operator and user guides.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/prerm
    ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR})
# The package's conffiles: dpkg keeps an operator's edits across upgrades.
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles "${SUANLI_ETC}/node.json\n")
list(APPEND CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/conffiles)
include(CPack)
