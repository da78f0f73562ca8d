package com.realtimevoice.testsupport;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * A test resource that points the services at itself through Spring properties ({@link TestDatabase},
 * {@link FakeWeChat}). A Spring test class that holds one in a static field, as in
 * {@code @RegisterExtension static final TestDatabase DB = new TestDatabase();}, needs no
 * {@code @DynamicPropertySource} method for it: {@link Factory} (registered in {@code META-INF/spring.factories})
 * adds its properties to the context above every other source, as a dynamic property source would.
 */
public interface ContextProperties {

    /** The properties that point a service at this resource. */
    Map<String, String> springProperties();

    /** Finds the test class's static {@link ContextProperties} fields and adds their properties to its context. */
    final class Factory implements ContextCustomizerFactory {

        @Override
        public ContextCustomizer createContextCustomizer(
                Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
            List<ContextProperties> resources = declaredIn(testClass);
            return resources.isEmpty() ? null : new Customizer(resources);
        }

        private static List<ContextProperties> declaredIn(Class<?> testClass) {
            List<ContextProperties> resources = new ArrayList<>();
            for (Class<?> type = testClass; type != null && type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers())
                            && ContextProperties.class.isAssignableFrom(field.getType())) {
                        try {
                            field.setAccessible(true);
                            resources.add((ContextProperties) field.get(null));
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException("cannot read " + field, e);
                        }
                    }
                }
            }
            return resources;
        }
    }

    /**
     * Equal only for the same resources (each is equal only to itself): two test classes never share a context,
     * as they did not when each declared its own {@code @DynamicPropertySource} method.
     */
    record Customizer(List<ContextProperties> resources) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration merged) {
            Map<String, Object> properties = new LinkedHashMap<>();
            resources.forEach(r -> properties.putAll(r.springProperties()));
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource("testContextProperties", properties));
        }
    }
}
