/**
 * Gitignore-style path matching for tasks that walk the repo root: {@link
 * dev.localexec.tasks.glob.GlobMatcher} matches a job's include and exclude globs against {@code
 * /}-separated root-relative paths (anchored at the root; {@code *} stays inside one folder, {@code
 * **}{@code /} is zero or more folders), and {@link dev.localexec.tasks.glob.GitIgnore} answers
 * whether a path is ignored by a {@code .gitignore} file, following git's own rules. Both compile
 * their globs to {@link java.util.regex.Pattern}s once.
 */
package dev.localexec.tasks.glob;
