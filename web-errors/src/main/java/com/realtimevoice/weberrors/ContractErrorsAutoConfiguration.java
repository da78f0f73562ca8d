package com.realtimevoice.weberrors;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.webmvc.error.ErrorAttributes;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * The contract's JSON for every error of a servlet service, on its public port and on its management port: an
 * error page controller and error attributes in place of Spring Boot's, and a Tomcat error report valve in place of
 * Tomcat's (which renders errors Spring never sees) on both servers.
 */
@AutoConfiguration(before = ErrorMvcAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ContractErrorsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(ErrorController.class)
    ContractErrorController contractErrorController() {
        return new ContractErrorController();
    }

    @Bean
    @ConditionalOnMissingBean(value = ErrorAttributes.class, search = SearchStrategy.CURRENT)
    ContractErrorAttributes contractErrorAttributes() {
        return new ContractErrorAttributes();
    }

    @Bean
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory> contractErrorValve() {
        return new ValveCustomizer();
    }

    /** The same valve on the management server, which is a Tomcat of its own in a child context. */
    @ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
    public static class ManagementServer {

        @Bean
        static WebServerFactoryCustomizer<TomcatServletWebServerFactory> managementContractErrorValve() {
            return new ValveCustomizer();
        }

        /**
         * Spring Boot's management error endpoint negotiates its body: for a browser's Accept: text/html it would
         * answer 406 with no body at all. Error dispatches on this server are JSON whatever was asked.
         */
        @Bean
        FilterRegistrationBean<Filter> managementErrorsAsJson() {
            FilterRegistrationBean<Filter> registration =
                    new FilterRegistrationBean<>((request, response, chain) -> chain.doFilter(
                            new HttpServletRequestWrapper((HttpServletRequest) request) {
                                @Override
                                public String getHeader(String name) {
                                    return HttpHeaders.ACCEPT.equalsIgnoreCase(name)
                                            ? MediaType.APPLICATION_JSON_VALUE
                                            : super.getHeader(name);
                                }

                                @Override
                                public Enumeration<String> getHeaders(String name) {
                                    return HttpHeaders.ACCEPT.equalsIgnoreCase(name)
                                            ? Collections.enumeration(List.of(MediaType.APPLICATION_JSON_VALUE))
                                            : super.getHeaders(name);
                                }
                            },
                            response));
            registration.setDispatcherTypes(DispatcherType.ERROR);
            return registration;
        }
    }

    /**
     * Last of the customizers, so that the plain ErrorReportValve Spring Boot adds to the host (to hide stack traces)
     * is already there to be replaced.
     */
    static final class ValveCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve && !(valve instanceof ContractErrorValve)) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.setErrorReportValveClass(ContractErrorValve.class.getName());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
