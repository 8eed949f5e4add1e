# Installs the pinned browser-test packages with `npm ci` (checks every package against the lock file's
# integrity hashes) unless node_modules already holds the locked version. Prefers npm's offline cache.
file(READ "${DIR}/package-lock.json" lock)
string(JSON wanted GET "${lock}" packages node_modules/playwright-core version)
set(installed "")
if(EXISTS "${DIR}/node_modules/playwright-core/package.json")
  file(READ "${DIR}/node_modules/playwright-core/package.json" pkg)
  string(JSON installed GET "${pkg}" version)
endif()
if(NOT installed STREQUAL wanted)
  execute_process(COMMAND "${NPM}" ci --prefer-offline --ignore-scripts --no-audit --no-fund
                  WORKING_DIRECTORY "${DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ci failed in ${DIR} (${rc})")
  endif()
endif()
message(STATUS "playwright-core ${wanted} ready")
