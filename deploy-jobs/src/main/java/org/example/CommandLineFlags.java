package org.example;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command lines of the job and the tools: {@code --name value}, {@code --name=value} and on/off
 * switches. Each value comes from its flag, else its environment variable, else its default. An
 * unknown flag or a missing value is an error whose message ends with the usage text.
 */
public final class CommandLineFlags {

    /** One option; {@code envVar} may be null, a switch takes no value. */
    public record Flag(String name, String envVar, String defaultValue, String description, boolean isSwitch) {

        public static Flag option(String name, String envVar, String defaultValue, String description) {
            return new Flag(name, envVar, defaultValue, description, false);
        }

        public static Flag onOff(String name, String description) {
            return new Flag(name, null, "false", description, true);
        }
    }

    private final Map<String, String> values;
    private final boolean help;

    private CommandLineFlags(Map<String, String> values, boolean help) {
        this.values = values;
        this.help = help;
    }

    public static CommandLineFlags parse(String[] args, List<Flag> flags, Map<String, String> env, String synopsis) {
        Map<String, Flag> byName = new LinkedHashMap<>();
        flags.forEach(f -> byName.put(f.name(), f));
        Map<String, String> values = new HashMap<>();
        for (Flag f : flags) {
            String fromEnv = f.envVar() == null ? null : env.get(f.envVar());
            values.put(f.name(), fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : f.defaultValue());
        }
        boolean help = false;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + arg + "'\n" + usage(synopsis, flags));
            }
            int eq = arg.indexOf('=');
            String name = (eq > 0 ? arg.substring(0, eq) : arg).substring(2);
            Flag flag = byName.get(name);
            if (flag == null) {
                throw new IllegalArgumentException("Unknown option --" + name + "\n" + usage(synopsis, flags));
            }
            if (flag.isSwitch()) {
                values.put(name, eq > 0 ? arg.substring(eq + 1) : "true");
            } else if (eq > 0) {
                values.put(name, arg.substring(eq + 1).trim());
            } else if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                throw new IllegalArgumentException("--" + name + " needs a value\n" + usage(synopsis, flags));
            } else {
                values.put(name, rest.remove(0).trim());
            }
        }
        return new CommandLineFlags(values, help);
    }

    public boolean helpRequested() {
        return help;
    }

    public String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalStateException("No option --" + name);
        }
        return value;
    }

    public boolean isOn(String name) {
        String value = get(name);
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("--" + name + " is a switch: true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public long getLong(String name, long min) {
        String value = get(name);
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + value + "'");
        }
        if (parsed < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", not " + parsed);
        }
        return parsed;
    }

    /** A whole number from {@code min} up to {@link Integer#MAX_VALUE}. */
    public int getInt(String name, int min) {
        long parsed = getLong(name, min);
        if (parsed > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--" + name + " must be at most " + Integer.MAX_VALUE + ", not " + parsed);
        }
        return (int) parsed;
    }

    public double getDouble(String name, double min) {
        String value = get(name);
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, not '" + value + "'");
        }
        if (!(parsed >= min) || Double.isInfinite(parsed)) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", not " + value);
        }
        return parsed;
    }

    public static String usage(String synopsis, List<Flag> flags) {
        StringBuilder text = new StringBuilder(synopsis).append("\n\nOptions (flag, environment variable, default):\n");
        for (Flag f : flags) {
            String flag = "--" + f.name() + (f.isSwitch() ? "" : " <value>");
            text.append(String.format("  %-34s %-24s %-22s %s%n", flag,
                    f.envVar() == null ? "-" : f.envVar(),
                    f.defaultValue().isEmpty() ? "-" : f.defaultValue(), f.description()));
        }
        return text.append(String.format("  %-34s %s%n", "--help", "print this text")).toString();
    }
}
