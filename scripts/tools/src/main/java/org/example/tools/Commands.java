package org.example.tools;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * How every program here runs its command line, with picocli. Every option is parsed and checked
 * before any work starts, so a typo fails at once, not minutes into a run: exit 2, the reason and
 * the usage. {@code --help} prints the usage and exits 0. The work returns its own exit code; a
 * failure ends it with one line naming the program and the cause, exit 1.
 *
 * <p>An option whose default may come from an environment variable says so where it is declared,
 * {@code defaultValue = "${env:DATA_DIR:-python/data}"}, and names the variable in its description:
 * the flag wins over the variable, the variable over the default (a variable set to an empty
 * string is an empty value). Ranges are checked by the converters below, so that picocli names the
 * option in the error. Public for the network lab's programs, in {@code org.example.tools.netns}.
 */
public final class Commands {

    private static final int USAGE_WIDTH = 100;

    private Commands() {
    }

    /** Parses {@code args} into {@code command} and runs it: 0 or the work's code, 1 when it fails, 2 on bad usage. */
    public static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine commandLine = new CommandLine(command)
                .setOut(outWriter)
                .setErr(errWriter)
                .setUsageHelpWidth(USAGE_WIDTH)
                .setExecutionExceptionHandler((e, failed, parsed) -> {
                    failed.getErr().println(failure(failed.getCommandName(), e));
                    return CommandLine.ExitCode.SOFTWARE;
                });
        CommandSpec spec = commandLine.getCommandSpec();
        // Options in the order they are declared, each with its default, and --help last.
        spec.usageMessage().sortOptions(false).showDefaultValues(true);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Print this text and exit").build());
        try {
            return commandLine.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    private static String failure(String program, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return program + " was interrupted";
        }
        return program + " failed: " + (e.getMessage() != null ? e.getMessage() : e);
    }

    /**
     * What an option names, read before any work (a file, a setting): when it cannot be read, that
     * is a usage error (exit 2, with the usage), not a failed run.
     */
    public static <T> T beforeWork(CommandSpec spec, Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** A usage error found by the work's own checks (e.g. an option that needs another one). */
    public static ParameterException usageError(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * A lower bound the converters below do not cover (e.g. at least 30 s between faults), checked
     * by the work before it starts and worded as a converter's error, so the option is named the same way.
     */
    public static long atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw usageError(spec, "Invalid value for option '" + option + "': must be at least " + min + ", not " + value);
        }
        return value;
    }

    /** {@link #atLeast(CommandSpec, String, long, long)} for a number. */
    public static double atLeast(CommandSpec spec, String option, double value, double min) {
        if (value < min) {
            throw usageError(spec, "Invalid value for option '" + option + "': must be at least " + min + ", not " + value);
        }
        return value;
    }

    /** A whole number of at least 1 ({@code int}). */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long parsed = wholeNumber(value, 1);
            if (parsed > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be at most " + Integer.MAX_VALUE + ", not " + parsed);
            }
            return (int) parsed;
        }
    }

    /** A whole number of at least 1 ({@code long}). */
    public static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return wholeNumber(value, 1);
        }
    }

    /** A whole number of at least 0 ({@code long}). */
    public static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return wholeNumber(value, 0);
        }
    }

    /** A finite number of at least 0 ({@code double}). */
    public static final class NonNegativeNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double parsed;
            try {
                parsed = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a number, not '" + value + "'");
            }
            if (!(parsed >= 0) || Double.isInfinite(parsed)) {
                throw new TypeConversionException("must be a finite number of at least 0, not " + value);
            }
            return parsed;
        }
    }

    private static long wholeNumber(String value, long min) {
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a whole number, not '" + value + "'");
        }
        if (parsed < min) {
            throw new TypeConversionException("must be at least " + min + ", not " + parsed);
        }
        return parsed;
    }
}
