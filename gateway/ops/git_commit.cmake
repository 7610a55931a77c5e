# Sets IOC_GIT_COMMIT to the 12-digit commit of the git checkout at
# IOC_GIT_SOURCE_DIR, or "unknown" when that directory is no checkout (a
# tarball; a parent directory's repository is not asked) or git is missing.
# Included by gateway/CMakeLists.txt, which then re-configures when HEAD moves
# (IOC_GIT_WATCH: the files that say where HEAD is). In script mode,
# `cmake -DIOC_GIT_SOURCE_DIR=DIR -P git_commit.cmake` prints it (tested).
set(IOC_GIT_COMMIT unknown)
set(IOC_GIT_WATCH "")
if(EXISTS "${IOC_GIT_SOURCE_DIR}/.git")
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
      WORKING_DIRECTORY "${IOC_GIT_SOURCE_DIR}" OUTPUT_VARIABLE git_commit
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_status)
    if(git_status EQUAL 0 AND git_commit)
      set(IOC_GIT_COMMIT "${git_commit}")
      # HEAD itself (a checkout) and the branch's ref (a commit).
      execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --symbolic-full-name HEAD
        WORKING_DIRECTORY "${IOC_GIT_SOURCE_DIR}" OUTPUT_VARIABLE git_ref OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      foreach(name HEAD ${git_ref})
        execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --path-format=absolute --git-path "${name}"
          WORKING_DIRECTORY "${IOC_GIT_SOURCE_DIR}" OUTPUT_VARIABLE git_file OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
        if(git_file AND EXISTS "${git_file}")
          list(APPEND IOC_GIT_WATCH "${git_file}")
        endif()
      endforeach()
    endif()
  endif()
endif()
if(CMAKE_SCRIPT_MODE_FILE)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E echo "${IOC_GIT_COMMIT}")
endif()
