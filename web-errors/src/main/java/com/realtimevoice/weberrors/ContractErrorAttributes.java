package com.realtimevoice.weberrors;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.webmvc.error.DefaultErrorAttributes;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;

/**
 * What the management server's error endpoint answers (Spring Boot's ManagementErrorEndpoint renders the
 * ErrorAttributes bean): the contract's fields instead of timestamp/status/error/path.
 */
public class ContractErrorAttributes extends DefaultErrorAttributes {

    @Override
    public Map<String, Object> getErrorAttributes(WebRequest request, ErrorAttributeOptions options) {
        Object code = request.getAttribute("jakarta.servlet.error.status_code", RequestAttributes.SCOPE_REQUEST);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        Object uri = request.getAttribute("jakarta.servlet.error.request_uri", RequestAttributes.SCOPE_REQUEST);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "error");
        body.put("code", ContractErrors.code(status));
        body.put("message", ContractErrors.message(status, null, null) + (uri instanceof String u ? " at " + u : ""));
        return body;
    }
}
